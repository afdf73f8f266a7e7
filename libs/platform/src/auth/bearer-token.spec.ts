import { bearerToken } from './bearer-token';

describe('bearerToken', () => {
  it('reads the token of `Bearer <token>`', () => {
    expect(bearerToken('Bearer abc.DEF_123-~+/=')).toBe('abc.DEF_123-~+/=');
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Bearer tok x',
    'Bearer  tok',
    'Bearer tok ',
    ' Bearer tok',
    'Bearer\ttok',
    'Basic tok',
    'tok',
  ])('presents no token in %p', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
