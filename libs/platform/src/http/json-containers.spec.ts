import { opensMoreContainersThan } from './json-containers';

const over = (json: string, max: number) => opensMoreContainersThan(Buffer.from(json), max);

describe('opensMoreContainersThan', () => {
  it('counts the objects and arrays a text opens', () => {
    expect(over('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(over('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(over(`[${'{},'.repeat(100)}{}]`, 102)).toBe(false);
    expect(over(`[${'{},'.repeat(100)}{}]`, 101)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(over('{"code":"function f() { return [1, {}]; }"}', 1)).toBe(false);
    expect(over('{"q":"say \\"{[\\" and \\\\","r":{}}', 2)).toBe(false);
    expect(over('{"q":"a\\\\","r":{}}', 1)).toBe(true);
    expect(over('{"q":"a\\\\\\"{","r":{}}', 1)).toBe(true);
    expect(over('{"q":"a\\\\\\"{","r":{}}', 2)).toBe(false);
  });
});
