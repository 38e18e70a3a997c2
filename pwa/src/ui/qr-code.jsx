// @ts-check
/**
 * Draw text as a QR code, as SVG paths: crisp at any screen size, and no inline style or
 * script, so it stays within a strict Content-Security-Policy.
 */
import { encode } from 'uqr';

/** Quiet zone in modules: scanners need a clear margin round the code. */
const BORDER_MODULES = 2;

/**
 * @param {{text: string, label: string, testId?: string}} props
 *   label: what the code is, read out by screen readers.
 */
export function QrCode({ text, label, testId }) {
  const { data, size } = encode(text, { ecc: 'L', border: BORDER_MODULES });
  return (
    <svg class="qr-code" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label}
      data-testid={testId} data-text={text} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={modulePath(data)} fill="#000" />
    </svg>
  );
}

/** @param {boolean[][]} data one path for every dark module, a run of a row at a time */
function modulePath(data) {
  const parts = [];
  for (let y = 0; y < data.length; y += 1) {
    let x = 0;
    while (x < data[y].length) {
      if (!data[y][x]) { x += 1; continue; }
      const start = x;
      while (x < data[y].length && data[y][x]) x += 1;
      parts.push(`M${start} ${y}h${x - start}v1h${start - x}z`);
    }
  }
  return parts.join('');
}
