const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * Whether a JSON text opens more than `max` objects and arrays (brackets inside strings do not
 * count). Read before parsing: an empty object costs 3 bytes of text and some 60 bytes of heap, so
 * 2 MB of `[{},{},…]` would parse into some 45 MB, where any other value stays within about
 * seven times its text.
 */
export function opensMoreContainersThan(text: Buffer, max: number): boolean {
  let open = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if ((c === OPEN_BRACE || c === OPEN_BRACKET) && ++open > max) {
      return true;
    }
  }
  return false;
}
