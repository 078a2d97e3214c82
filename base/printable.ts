/**
 * Text from a file or a caller, made safe to echo to a terminal or a log: control characters
 * (ANSI escapes, NUL, carriage returns…), lone surrogates and the replacement character are
 * written as `\u{…}` escapes, and the text is cut to `max` characters. File bytes never reach
 * the terminal raw.
 */
export function printable(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) =>
    `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
}
