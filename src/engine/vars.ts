/** $VAR substitution for command definitions, and the tiny jq subset the seed uses (.a, .a[0]). */
import { LabError } from './errors.ts';
import { msg } from './i18n.ts';

export function substitute(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    const v = vars[name];
    if (v === undefined) {
      throw new LabError(msg(`명령에 쓰인 변수 $${name}의 값이 없습니다.`, `command variable $${name} has no value.`), {
        hint: msg('앞 단계를 먼저 끝내세요 (npx lab hint).', 'Finish the earlier steps first (npx lab hint).'),
      });
    }
    return v;
  });
}

export function jqPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  const re = /\.(\w+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(path)) !== null) {
    if (m.index !== consumed) break;
    consumed = re.lastIndex;
    if (m[1] !== undefined) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[m[1]] : undefined;
    else cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
  }
  if (consumed !== path.length) throw new Error(`unsupported jq path: ${path}`);
  return cur;
}
