import { isBlockedAddress, resolveHost } from './webhook-address';

describe('webhook addresses', () => {
  it.each([
    '127.0.0.1',
    '127.9.9.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '93.184.216.34', '2606:4700::1111'])(
    'lets %s through',
    (address) => {
      expect(isBlockedAddress(address)).toBe(false);
    },
  );

  it('judges what a name resolves to, unless the host is allowed', async () => {
    const refused = await resolveHost('localhost', new Set());
    expect(refused).toMatchObject({ ok: false });
    if (!refused.ok)
      expect(refused.reason).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback/);
    expect(await resolveHost('localhost', new Set(['localhost']))).toMatchObject({ ok: true });
    expect(await resolveHost('127.0.0.1', new Set())).toMatchObject({ ok: false });
    expect(await resolveHost('127.0.0.1', new Set(['127.0.0.1']))).toEqual({
      ok: true,
      address: { address: '127.0.0.1', family: 4 },
    });
  });
});
