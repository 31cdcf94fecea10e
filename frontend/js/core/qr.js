/**
 * A QR code as one SVG path: the dark modules of a code (error correction M, byte mode, the
 * smallest version the text fits), row by row in runs, inside the 4-module quiet zone the
 * standard asks for. Pure: the encoder is handed in, the page's being the global `qrcode`
 * of vendor/qrcode/qrcode.js (qrcode-generator), which the unit tests load too.
 */

/** Light modules around the code on every side (ISO/IEC 18004 asks for 4). */
export const QUIET_ZONE = 4;
/** Error correction level M: about 15% of the code may be unreadable (a glare, a thumb). */
export const ERROR_CORRECTION = "M";

/**
 * A made code: its modules per side and which are dark (row and column from 0).
 * @typedef {{getModuleCount(): number, isDark(row: number, col: number): boolean}} QrMatrix
 */
/**
 * qrcode-generator's factory: `encode(typeNumber, level)`, typeNumber 0 for the smallest
 * version that holds the data.
 * @typedef {(typeNumber: number, level: string) =>
 *   QrMatrix & {addData(data: string, mode: string): void, make(): void}} QrEncoder
 */
/**
 * A code ready to draw: `size` is the side of the viewBox (modules and quiet zone), `modules`
 * the code's own side, `d` the path of its dark modules in those units.
 * @typedef {{size: number, modules: number, d: string}} QrPath
 */

/**
 * The text's UTF-8 bytes as a string of one character per byte: the encoder's byte mode
 * keeps each character's low byte, so the code holds UTF-8 without touching its globals.
 * @param {string} text
 */
function utf8Bytes(text) {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}

/**
 * The code of `text`: error correction M, byte mode, version chosen by the encoder. Throws
 * the encoder's error when the text is too long for any version (2,331 bytes at M).
 * @param {string} text
 * @param {QrEncoder} encode
 * @returns {QrMatrix}
 */
export function qrMatrix(text, encode) {
  const code = encode(0, ERROR_CORRECTION);
  code.addData(utf8Bytes(text), "Byte");
  code.make();
  return code;
}

/**
 * The dark modules of a code as one path, a rectangle per run of dark modules in a row
 * (`M x y h w v1 h-w z`), shifted by the quiet zone; drawn with shape-rendering crispEdges.
 * @param {QrMatrix} matrix
 * @returns {QrPath}
 */
export function modulesPath(matrix) {
  const n = matrix.getModuleCount();
  const runs = [];
  for (let row = 0; row < n; row += 1) {
    let col = 0;
    while (col < n) {
      if (!matrix.isDark(row, col)) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < n && matrix.isDark(row, col)) col += 1;
      const width = col - start;
      runs.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${width}v1h-${width}z`);
    }
  }
  return { size: n + 2 * QUIET_ZONE, modules: n, d: runs.join("") };
}

/**
 * `text` (a room's link) as a QR code's path.
 * @param {string} text
 * @param {QrEncoder} encode
 * @returns {QrPath}
 * @example
 *   qrPath("http://127.0.0.1:8000/r/7QK3M9TBXD", qrcode)
 *   // {size: 37, modules: 29, d: "M4 4h7v1h-7zM12 4h1v1h-1z…"}
 */
export function qrPath(text, encode) {
  return modulesPath(qrMatrix(text, encode));
}
