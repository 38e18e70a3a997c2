// @ts-check
/**
 * Read a QR code with the phone's camera. The decoder (jsQR) is loaded only when the
 * camera opens, so it does not weigh on the app's start; the service worker still
 * precaches it, so scanning works offline.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n.js';

const FRAME_EVERY_MS = 200;

/**
 * @param {{onText: (text: string) => void, onCancel: () => void, noCameraText?: string}} props
 *   noCameraText: what to do instead when the camera cannot open (by default: type the code).
 */
export function Scanner({ onText, onCancel, noCameraText }) {
  const video = useRef(/** @type {HTMLVideoElement | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));

  useEffect(() => {
    /** @type {MediaStream | null} */
    let stream = null;
    let timer = 0;
    let live = true;
    (async () => {
      try {
        const { default: jsQR } = await import('jsqr');
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (!live || !video.current) return;
        video.current.srcObject = stream;
        await video.current.play();
        const canvas = document.createElement('canvas');
        const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
        const look = () => {
          const el = video.current;
          if (!live || !el) return;
          if (el.videoWidth > 0) {
            canvas.width = el.videoWidth;
            canvas.height = el.videoHeight;
            context.drawImage(el, 0, 0);
            const image = context.getImageData(0, 0, canvas.width, canvas.height);
            const found = jsQR(image.data, image.width, image.height);
            if (found?.data) {
              onText(found.data);
              return;
            }
          }
          timer = window.setTimeout(look, FRAME_EVERY_MS);
        };
        look();
      } catch {
        if (live) setError(noCameraText ?? t('scan.no_camera'));
      }
    })();
    return () => {
      live = false;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);

  return (
    <div class="scanner">
      {error ? <p class="form-error" role="alert">{error}</p> : <video ref={video} muted playsInline aria-label={t('scan.camera')} />}
      <button type="button" class="big" onClick={onCancel}>{t('common.cancel')}</button>
    </div>
  );
}
