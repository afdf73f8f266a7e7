import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a terminated backend (57P01)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['a connection failure (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    [
      'a full disk (53100), as a PANIC on a full pg_wal reports it to the backend writing WAL',
      withCode(
        '53100',
        'could not write to log file 000000010000000000000003: No space left on device',
      ),
    ],
    ['out of memory (53200)', withCode('53200')],
    ['a connection the driver saw end', new Error('Connection terminated unexpectedly')],
    ['a refused connection', new Error('connect ECONNREFUSED 127.0.0.1:5432')],
    ['a statement not answered in time (a silent link)', new Error('Query read timeout')],
    ['no connection in time', new Error('timeout exceeded when trying to connect')],
  ])('says yes for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a bad value (22P02)', withCode('22P02')],
    ['a statement over temp_file_limit (53400)', withCode('53400')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'Connection terminated'],
  ])('says no for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});
