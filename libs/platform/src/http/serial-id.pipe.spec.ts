import { DomainError } from '../errors/domain.error';
import { SerialIdPipe } from './serial-id.pipe';

describe('SerialIdPipe', () => {
  const pipe = new SerialIdPipe();

  it('reads a positive integer', () => {
    expect(pipe.transform('42')).toBe(42);
    expect(pipe.transform(7)).toBe(7);
  });

  it.each(['0', '-1', '1.5', 'abc', '007', '99999999999999999999', ''])('refuses %p', (id) => {
    expect(() => pipe.transform(id)).toThrow(DomainError);
  });
});
