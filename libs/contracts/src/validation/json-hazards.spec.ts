import { ErrorCode } from '../errors/error-code';
import { findJsonHazard, MAX_JSON_DEPTH } from './json-hazards';

const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });

describe('findJsonHazard', () => {
  it.each([
    ['a NUL in a value', '{"d":"a\\u0000b"}', ErrorCode.UnstorableText, 'd'],
    ['a lone high surrogate', '{"d":"x\\ud800y"}', ErrorCode.UnstorableText, 'd'],
    ['a lone low surrogate in an array', '{"d":[1,"\\udc00"]}', ErrorCode.UnstorableText, 'd[1]'],
    ['a NUL in a nested key', '{"m":{"k\\u0000":1}}', ErrorCode.UnstorableText, 'm["k\\u0000"]'],
    ['a NUL as the whole body', '"\\u0000"', ErrorCode.UnstorableText, 'body'],
    ['__proto__', '{"a":1,"__proto__":{"x":1}}', ErrorCode.ValidationFailed, '__proto__'],
    [
      'constructor, nested',
      '{"m":{"a":{"constructor":1}}}',
      ErrorCode.ValidationFailed,
      'm.a.constructor',
    ],
    ['prototype', '{"prototype":1}', ErrorCode.ValidationFailed, 'prototype'],
    [
      'arrays 5,000 deep',
      `{"m":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      ErrorCode.JsonTooDeep,
      `m${'[0]'.repeat(63)}`,
    ],
  ])('refuses %s', (_, json, code, field) => {
    expect(findJsonHazard(JSON.parse(json))).toMatchObject({ code, field });
  });

  it.each([
    ['a surrogate pair', '{"d":"😀 \\ud83d\\ude00"}'],
    ['other control characters', '{"d":"a\\tb\\u0001"}'],
    ['keys that only look like the reserved ones', '{"Constructor":1,"proto":2,"__proto":3}'],
    ['nothing but scalars', '{"a":1,"b":null,"c":true,"d":[1.5,"x"]}'],
  ])('takes %s', (_, json) => {
    expect(findJsonHazard(JSON.parse(json))).toBeUndefined();
  });

  it('takes JSON exactly as deep as the limit, and refuses one level more', () => {
    expect(findJsonHazard(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findJsonHazard(nested(MAX_JSON_DEPTH + 1))).toMatchObject({
      code: ErrorCode.JsonTooDeep,
    });
  });
});
