import { difference, parseActualJson, parseExpectedJson, textDifference } from './expected';

const one = (text: string) => parseExpectedJson(text)[0];

describe('expected responses', () => {
  it('promises only the fields an object shows, with ... as decoration', () => {
    const expected = one('{"user_id":"alice","balance":975, ...}');
    expect(difference(expected, { user_id: 'alice', balance: 975, blocked: false })).toBeNull();
    expect(difference(expected, { user_id: 'alice', balance: 966 })).toBe(
      '$.balance: expected 975, got 966',
    );
    expect(difference(expected, { user_id: 'alice' })).toBe(
      '$.balance: expected 975, got no such field',
    );
  });

  it('holds arrays to their elements in order, ... standing for more', () => {
    expect(difference(one('[1, 2]'), [1, 2, 3])).toBe('$: expected 2 elements, got 3');
    expect(difference(one('[1, 2, ...]'), [1, 2, 3])).toBeNull();
    expect(difference(one('[..., {"a": 3}]'), [{ a: 1 }, { a: 3 }])).toBeNull();
    expect(difference(one('[2, 1]'), [1, 2])).toBe('$[0]: expected 2, got 1');
  });

  it('reads wildcards in strings', () => {
    const expected = one(
      '{"id":"<uuid>","at":"<time>","day":"<date>","n":"<number>","key":"tly_…","x":"<any>"}',
    );
    const actual = {
      id: '019a2498-4765-7014-9dc7-5f8812871d4d',
      at: '2026-12-06T04:00:05.871Z',
      day: '2026-12-06',
      n: 12,
      key: 'tly_abc',
      x: null,
    };
    expect(difference(expected, actual)).toBeNull();
    expect(difference(expected, { ...actual, key: 'tlp_abc' })).toBe(
      '$.key: expected "tly_…", got "tlp_abc"',
    );
    expect(difference(expected, { ...actual, at: 'yesterday' })).toMatch(/^\$\.at: /);
    expect(difference(one('"<number>"'), '12')).toMatch(/expected/);
  });

  it('reads several JSON values, one per command', () => {
    expect(parseActualJson('{"a":1}\n[2]\n"x"\n')).toEqual([{ a: 1 }, [2], 'x']);
    expect(parseExpectedJson('{"a":1}\n{"b": "…", ...}')).toHaveLength(2);
  });

  it('matches text line by line, ... standing for any lines', () => {
    expect(textDifference('a\n...\nz', 'a\nb\nc\nz\n')).toBeNull();
    expect(textDifference('count <number>', 'count 12')).toBeNull();
    expect(textDifference('a\nz', 'a\nb\nz')).toMatch(/^expected the lines/);
  });
});
