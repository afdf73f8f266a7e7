import { DomainError } from '@tally/platform';
import { ProductIdPipe } from './product-id.pipe';

describe('ProductIdPipe', () => {
  const pipe = new ProductIdPipe();

  it('reads a positive integer', () => {
    expect(pipe.transform('42')).toBe(42);
    expect(pipe.transform(7)).toBe(7);
  });

  it.each(['0', '-1', '1.5', 'abc', '007', '99999999999999999999', ''])('refuses %p', (id) => {
    expect(() => pipe.transform(id)).toThrow(DomainError);
  });
});
