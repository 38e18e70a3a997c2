// @ts-check
/**
 * Read a QR code from a photo: for when the camera is refused or will not focus, a trainer
 * can take a picture with the phone's own camera app (or get one by Zalo) and choose it.
 */

// A phone photo is 12 MP; jsQR needs far fewer pixels, and a smaller copy also smooths the
// noise of a photographed screen. Tried largest first, the smaller size as a second chance.
const SIDES_PX = [1600, 800];

/**
 * The text of the first QR code found in the image, or null.
 * @param {Blob} file
 * @returns {Promise<string | null>}
 */
export async function readQrFromPhoto(file) {
  const { default: jsQR } = await import('jsqr');
  const url = URL.createObjectURL(file);
  try {
    return await readFrom(jsQR, await loadImage(url));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * @param {typeof import('jsqr').default} jsQR
 * @param {HTMLImageElement} image
 */
function readFrom(jsQR, image) {
  const canvas = document.createElement('canvas');
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
  for (const side of SIDES_PX) {
    const scale = Math.min(1, side / Math.max(image.naturalWidth, image.naturalHeight));
    canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
    // White first: a transparent PNG would otherwise read as black on black.
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = jsQR(pixels.data, pixels.width, pixels.height);
    if (found?.data) return found.data;
    if (scale === 1) break;
  }
  return null;
}

/** @param {string} url @returns {Promise<HTMLImageElement>} */
async function loadImage(url) {
  const image = new Image();
  image.src = url;
  await image.decode();
  return image;
}
