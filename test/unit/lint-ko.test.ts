/** scripts/lint-ko.ts: green on the repository, red on each kind of planted violation. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintRepo, lintText, rulesFromGlossary } from '../../scripts/lint-ko.ts';
import { rootDir } from '../../src/engine/paths.ts';

const rules = rulesFromGlossary(fs.readFileSync(path.join(rootDir, 'site/glossary.ko.md'), 'utf8'));
const rulesOf = (file: string, src: string) => lintText(file, src, rules).map((f) => `${f.rule}:${f.text.trim()}`);

describe('lint-ko', () => {
  it('the repository is clean (lessons, glossary, scenarios, checkers, src messages, site)', () => {
    expect(lintRepo(rootDir).map((f) => `${f.file}:${f.line}: ${f.rule}: ${f.text}`)).toEqual([]);
  });

  it('catches a glossary-banned variant, in a lesson and in a msg() string, but not in code', () => {
    expect(rulesOf('labs/x/lesson.ko.md', '키 3개로 vault-0을 unseal 하세요. 그다음 active 노드를 봅니다.\n')).toEqual(['banned:unseal 하', 'banned:active 노드']);
    expect(rulesOf('checkers/x.ts', "const m = msg('과반이 안 됩니다, 인증 방식을 보세요', 'no quorum');\n")).toEqual(['banned:과반', 'banned:인증 방식']);
    // The word to use that starts with a banned one (과반수), or holds it (자격 증명), is fine; code spans are not prose.
    expect(rulesOf('labs/x/lesson.ko.md', '과반수가 살아 있고 자격 증명이 있습니다. `unseal 하세요`는 코드입니다.\n')).toEqual([]);
  });

  it('catches a particle spaced off the Latin word, code or number before it, and a machine-like 을(를)', () => {
    expect(rulesOf('labs/x/lesson.ko.md', 'Secret 에는 값이 있고, `npx lab start` 가 준비하며, 10s 마다 봅니다.\n')).toEqual(['particle:t 에는', 'particle:` 가', 'particle:s 마다']);
    expect(rulesOf('src/x.ts', 'throw new Error(msg(`${file} 이(가) 없습니다.`, `${file} is missing.`));\n')).toEqual(['particle:X 이', 'either-particle:이(가)']);
    expect(rulesOf('src/x.ts', "msg('Secret에는 값이 있습니다', 'The Secret has a value');\n// a comment: Secret 에는\n")).toEqual([]);
  });

  it('a planted violation in a copy of the repository fails it; the allow-list lets a named line through', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-lab-lintko-'));
    try {
      fs.mkdirSync(path.join(dir, 'site'));
      fs.mkdirSync(path.join(dir, 'labs/x'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'scripts'));
      fs.copyFileSync(path.join(rootDir, 'site/glossary.ko.md'), path.join(dir, 'site/glossary.ko.md'));
      fs.writeFileSync(path.join(dir, 'labs/x/lesson.ko.md'), '# 실습\n\n리더가 standby로 바뀝니다.\n');
      expect(lintRepo(dir).map((f) => `${f.file}:${f.line}:${f.rule}`)).toEqual(['labs/x/lesson.ko.md:3:banned']);
      fs.writeFileSync(path.join(dir, 'scripts/lint-ko.allow'), '# a real exception\nlabs/x/lesson.ko.md | 리더가 standby로\n');
      expect(lintRepo(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
