import path from 'node:path';
import { hygiene, slug } from './hygiene';

const root = path.join(__dirname, '..', '..');
const check = (markdown: string) =>
  hygiene(root, 'docs/guide.md', markdown, (file) =>
    file.endsWith('development.md') ? '# Development\n## Examples are tests\n' : '',
  );

describe('what a reader cannot follow', () => {
  it('finds references to issues, the spec and paths of a machine', () => {
    expect(check('See Issue 18.\nAs SPEC §1 says.\nIn /etc/postgresql/x.conf.')).toEqual([
      'docs/guide.md:1: a reference to an issue: See Issue 18.',
      'docs/guide.md:2: a reference to the spec: As SPEC §1 says.',
      'docs/guide.md:3: a path outside the repository: In /etc/postgresql/x.conf.',
    ]);
  });

  it('finds links and repository paths that lead nowhere', () => {
    expect(
      check(
        [
          '[ok](development.md#examples-are-tests) [web](https://example.com)',
          '[gone](nowhere.md) [out](../../x.md) [anchor](development.md#no-such-heading)',
          '`apps/ai-gateway/src/main.ts` and `apps/no-such-app/x.ts`',
        ].join('\n'),
      ),
    ).toEqual([
      'docs/guide.md:2: the link nowhere.md leads nowhere',
      'docs/guide.md:2: the link ../../x.md leaves the repository',
      'docs/guide.md:2: the link development.md#no-such-heading names no heading of that file',
      'docs/guide.md:3: `apps/no-such-app/x.ts` is no file of the repository',
    ]);
  });

  it("makes GitHub's anchors", () => {
    expect(slug('Proved under faults: `npm run test:faults`')).toBe(
      'proved-under-faults-npm-run-testfaults',
    );
  });
});
