/**
 * A line whose output later lines need (the app's Vault token, a JWT kept across a ServiceAccount's deletion) is a
 * command as data too: `capture` renders `export NAME="$(…)"` for the learner and keeps the value in the lab's memory
 * for `lab solve`; `pipeFrom` on a vault line feeds a secret on stdin, on kind into the pod. No server needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempLabHome } from '../helpers.ts';
import { LabDir } from '../../src/engine/state.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { createPlatform } from '../../src/platforms/index.ts';
import { createContext } from '../../src/engine/context.ts';
import { Reporter } from '../../src/engine/reporter.ts';
import { redact } from '../../src/engine/redact.ts';
import { renderFor } from '../../src/platforms/render.ts';
import { nonEmpty } from '../non-empty.ts';
import type { Cmd } from '../../src/engine/types.ts';

useTempLabHome('capture-cmd-test-');

async function context() {
  const topic = await loadTopic('k8s-auth');
  const lab = new LabDir(topic.id);
  const platform = await createPlatform('local', topic, lab);
  const shown: string[] = [];
  const report = new Reporter({ lang: 'en', color: false, verbose: false, stdout: { write: () => undefined }, stderr: { write: (s: string) => void shown.push(s) } });
  report.showCommands = true;
  return { shown, ctx: createContext(topic, platform, lab, report, 'en') };
}

const step = async (topicId: string, id: string) => (await loadTopic(topicId)).steps.find((s) => s.id === id)!;

describe('capture and piped vault lines', () => {
  it("k8s-auth's login keeps the app token in APP_TOKEN; on kind the login runs in the pod with the JWT piped in", async () => {
    const topic = await loadTopic('k8s-auth');
    const [login] = (await step('k8s-auth', 'login')).commands!;
    expect(renderFor('local', topic)(login!)).toBe(
      'export APP_TOKEN="$(kubectl create token webapp -n default --audience vault --duration=10m | vault write -field=token auth/kubernetes/login role=webapp jwt=-)"',
    );
    expect(renderFor('kind', topic)(login!)).toBe(
      'export APP_TOKEN="$(kubectl --context "$LAB_KUBE_CONTEXT" create token webapp -n default --audience vault --duration=10m | kubectl --context "$LAB_KUBE_CONTEXT" exec -i vault-0 -n vault -- vault write -field=token auth/kubernetes/login role=webapp jwt=-)"',
    );
  });

  it('the reviewer JWT goes on stdin (token_reviewer_jwt=-), never into an argument', async () => {
    const topic = await loadTopic('k8s-auth');
    const [config] = (await step('k8s-auth', 'config')).commands!;
    expect(renderFor('local', topic)(config!)).toBe('kubectl create token vault -n vault --duration=24h | vault write auth/kubernetes/config kubernetes_host="$KUBE_API" kubernetes_ca_cert=@"$KUBE_CA" token_reviewer_jwt=-');
  });

  it('no k8s-auth or vso line puts a command substitution in an argument, and none on kind needs a vault CLI on this machine', async () => {
    for (const id of ['k8s-auth', 'vso']) {
      const topic = await loadTopic(id);
      for (const p of topic.platforms) {
        const r = renderFor(p, topic);
        const lines = topic.steps.filter((s) => !s.platforms || s.platforms.includes(p)).flatMap((s) => (s.commands ?? []).map(r));
        for (const l of nonEmpty(lines)) {
          // `export NAME="$(…)"` is the one place a $( … ) may stand: the value goes to a variable, not to a program's argv.
          expect(l.replace(/^export \w+="\$\(.*\)"$/, ''), l).not.toMatch(/=\$\(|="\$\(/);
          if (p === 'kind') expect(l, l).not.toMatch(/(^|\| |\$\()vault /);
        }
      }
    }
  });

  it('the lab keeps a captured output for the lines after it, masked in what it prints; a failed line keeps nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-'));
    const out = path.join(dir, 'seen');
    const { ctx, shown } = await context();
    const make: Cmd = { kind: 'exec', file: 'echo', args: ['jwt-0123456789abcdef'], capture: 'SOME_JWT' };
    expect(ctx.platform.render(make)).toBe('export SOME_JWT="$(echo jwt-0123456789abcdef)"');
    await ctx.exec(make);
    await ctx.exec({ kind: 'exec', file: 'sh', args: ['-c', `cat > ${out}`], pipeFrom: 'printf %s "$SOME_JWT"' });
    expect(fs.readFileSync(out, 'utf8')).toBe('jwt-0123456789abcdef');
    expect(redact('token: jwt-0123456789abcdef')).not.toContain('jwt-0123456789abcdef');
    // A refused line (mayFail) sets nothing: a later line reading the variable says it is not set.
    await ctx.exec({ kind: 'exec', file: 'sh', args: ['-c', 'echo no; exit 2'], mayFail: true, capture: 'NEVER' });
    await expect(ctx.exec({ kind: 'exec', file: 'cat', args: [], stdinLine: '$NEVER' })).rejects.toThrow(/NEVER/);
    expect(shown.join('')).toContain('export SOME_JWT="$(echo');
  });
});
