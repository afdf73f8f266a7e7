// What a documented response promises, and whether an actual output keeps the promise.
//
// JSON: the expected text may hold several values (one per command of the block), with `...` (or
// `…`) standing for "more elements here" in an array (in an object it is decoration: an object
// always promises only the fields it shows). Strings are patterns: `<id>`, `<uuid>`, `<time>`,
// `<date>`, `<number>`, `<string>`, `<any>` and `…` are wildcards; "<number>" and "<id>" also
// match numbers, "<any>" anything. Text: line by line with the same wildcards, a line `...` (or
// `…`) standing for any number of lines.

export const MORE = Symbol('more');
type Expected = null | boolean | number | string | typeof MORE | Expected[] | ExpectedObject;
interface ExpectedObject {
  [key: string]: Expected;
}

/** A JSON parser that also takes `...` / `…` as an element or member. */
export function parseExpectedJson(text: string): Expected[] {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at offset ${at} of the expected JSON`);
  };
  const space = (): void => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const ellipsis = (): boolean => {
    if (text.startsWith('...', at)) return ((at += 3), true);
    if (text.startsWith('…', at)) return ((at += 1), true);
    return false;
  };
  const value = (): Expected => {
    space();
    if (ellipsis()) return MORE;
    const c = text[at];
    if (c === '{') {
      at++;
      const object: ExpectedObject = {};
      for (;;) {
        space();
        if (text[at] === '}') return (at++, object);
        if (!ellipsis()) {
          const key = value();
          if (typeof key !== 'string') fail('expected a key');
          space();
          if (text[at++] !== ':') fail('expected ":"');
          object[key as string] = value();
        }
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== '}') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      at++;
      const array: Expected[] = [];
      for (;;) {
        space();
        if (text[at] === ']') return (at++, array);
        array.push(value());
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== ']') fail('expected "," or "]"');
      }
    }
    const literal = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(
      text.slice(at),
    );
    if (!literal) return fail('unexpected character');
    at += literal[0].length;
    return JSON.parse(literal[0]) as Expected;
  };
  const values: Expected[] = [];
  for (space(); at < text.length; space()) values.push(value());
  return values;
}

/** Every JSON value in an output (commands print one after another). */
export function parseActualJson(text: string): unknown[] {
  const values: unknown[] = [];
  let at = 0;
  while (at < text.length) {
    while (at < text.length && /\s/.test(text[at])) at++;
    if (at >= text.length) break;
    // Find the shortest prefix that parses: scan for the closing bracket of this value.
    const end = endOfValue(text, at);
    values.push(JSON.parse(text.slice(at, end)));
    at = end;
  }
  return values;
}

function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[') {
    const token = /^(?:"(?:[^"\\]|\\.)*"|[^\s]+)/.exec(text.slice(start));
    return start + (token ? token[0].length : 1);
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

const WILDCARDS: Record<string, string> = {
  '<id>': '[A-Za-z0-9_.:-]+',
  '<uuid>': '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  '<time>': '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})',
  '<date>': '\\d{4}-\\d{2}-\\d{2}',
  '<number>': '-?\\d+(?:\\.\\d+)?',
  '<string>': '.*',
  '<any>': '.*',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern string (`tly_…`, `<time>`) as a regular expression of the whole text. */
export function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split(/(<(?:id|uuid|time|date|number|string|any)>|…|\.\.\.)/);
  const source = parts
    .map((part, index) => {
      if (index % 2 === 0) return escapeRegExp(part);
      if (part === '…' || part === '...') return '.*';
      return WILDCARDS[part];
    })
    .join('');
  return new RegExp(`^${source}$`, 's');
}

function isPattern(text: string): boolean {
  return /<(?:id|uuid|time|date|number|string|any)>|…|\.\.\./.test(text);
}

/** The first difference between an expected and an actual value, or null when they match. */
export function difference(expected: Expected, actual: unknown, path = '$'): string | null {
  const show = (value: unknown): string => {
    const text = JSON.stringify(value);
    return text === undefined ? 'nothing' : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  };
  const mismatch = (): string => `${path}: expected ${show(expected)}, got ${show(actual)}`;
  if (expected === MORE) return null;
  if (typeof expected === 'string' && isPattern(expected)) {
    if (expected === '<any>') return actual === undefined ? mismatch() : null;
    if (expected === '<number>') return typeof actual === 'number' ? null : mismatch();
    if (expected === '<id>' && typeof actual === 'number') return null;
    if (typeof actual !== 'string') return mismatch();
    return patternRegExp(expected).test(actual) ? null : mismatch();
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return mismatch();
    return arrayDifference(expected, actual, path);
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return mismatch();
    for (const [key, value] of Object.entries(expected)) {
      const member = (actual as Record<string, unknown>)[key];
      if (member === undefined) return `${path}.${key}: expected ${show(value)}, got no such field`;
      const found = difference(value, member, `${path}.${key}`);
      if (found) return found;
    }
    return null;
  }
  return expected === actual ? null : mismatch();
}

function arrayDifference(expected: Expected[], actual: unknown[], path: string): string | null {
  let firstFailure: string | null = null;
  const match = (e: number, a: number): boolean => {
    if (e === expected.length) return a === actual.length;
    if (expected[e] === MORE) {
      for (let skip = a; skip <= actual.length; skip++) if (match(e + 1, skip)) return true;
      return false;
    }
    if (a >= actual.length) {
      firstFailure ??= `${path}[${a}]: expected ${JSON.stringify(expected[e])}, got no such element`;
      return false;
    }
    const found = difference(expected[e], actual[a], `${path}[${a}]`);
    if (found) {
      firstFailure ??= found;
      return false;
    }
    return match(e + 1, a + 1);
  };
  if (match(0, 0)) return null;
  if (firstFailure) return firstFailure;
  return `${path}: expected ${expected.length} elements, got ${actual.length}`;
}

/** Text output, line by line. */
export function textDifference(expected: string, actual: string): string | null {
  const want = expected.replace(/\s+$/, '').split('\n');
  const got = actual.replace(/\s+$/, '').split('\n');
  const match = (e: number, a: number): boolean => {
    if (e === want.length) return a === got.length;
    const line = want[e].trimEnd();
    if (line === '...' || line === '…') {
      for (let skip = a; skip <= got.length; skip++) if (match(e + 1, skip)) return true;
      return false;
    }
    if (a >= got.length) return false;
    if (!patternRegExp(line).test(got[a].trimEnd())) return false;
    return match(e + 1, a + 1);
  };
  if (match(0, 0)) return null;
  return `expected the lines\n${indent(expected)}\ngot\n${indent(actual)}`;
}

export function indent(text: string): string {
  return text
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
