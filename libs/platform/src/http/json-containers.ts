const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * Whether a JSON text opens more than `max` objects and arrays (brackets inside strings do not
 * count). Read before parsing: an empty object costs 3 bytes of text and some 60 bytes of heap, so
 * 2 MB of `[{},{},…]` would parse into some 45 MB, where any other value stays within about
 * seven times its text. A string is skipped with indexOf (native), so prose costs little.
 */
export function opensMoreContainersThan(text: Buffer, max: number): boolean {
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return false;
    } else if ((c === OPEN_BRACE || c === OPEN_BRACKET) && ++open > max) {
      return true;
    }
  }
  return false;
}

/** The index of the quote that ends the string opened at `start` (-1: none). */
function closingQuote(text: Buffer, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    while (text[at - 1 - backslashes] === BACKSLASH) backslashes++;
    // An even run of backslashes escapes only itself: the quote is unescaped.
    if (backslashes % 2 === 0) return at;
  }
}
