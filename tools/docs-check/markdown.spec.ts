import { examples } from './markdown';

const fence = '```';
const doc = [
  '# A guide',
  `${fence}sh`,
  'X=1',
  fence,
  '',
  `${fence}json`,
  'HTTP/1.1 201',
  '{"a": 1}',
  fence,
  'Text between.',
  `${fence}sh no-run`,
  'npm start',
  fence,
  `${fence}text`,
  'not checked',
  fence,
  `${fence}sh eventually`,
  'echo 2',
  fence,
  'Some text.',
  '',
  `${fence}json`,
  '{"shown": "not a response: text stands between"}',
  fence,
  `${fence}js file=a.mjs`,
  'console.log(1);',
  fence,
].join('\n');

describe('the examples of a markdown file', () => {
  it('pairs each shell block with the response right after it, skipping no-run ones', () => {
    expect(examples('guide.md', doc)).toEqual([
      {
        file: 'guide.md',
        line: 2,
        script: 'X=1',
        eventually: false,
        response: { line: 6, language: 'json', body: 'HTTP/1.1 201\n{"a": 1}' },
      },
      { file: 'guide.md', line: 17, script: 'echo 2', eventually: true, response: undefined },
      { file: 'guide.md', line: 25, name: 'a.mjs', body: 'console.log(1);' },
    ]);
  });
});
