import fs from 'node:fs';
import path from 'node:path';
import type { Cmd, LabContext, NodeTarget, Platform, Topic } from './types.ts';
import type { LabDir } from './state.ts';
import type { Reporter } from './reporter.ts';
import type { Lang } from './i18n.ts';
import { msg } from './i18n.ts';
import { LabError } from './errors.ts';
import { VaultClient } from '../vault/client.ts';
import { dropRetry } from '../vault/http.ts';
import { CommandError, run, type RunResult } from '../exec.ts';
import { poll } from './poll.ts';
import { substitute, jqPath } from './vars.ts';
import { declarePublic, registerSecret } from './redact.ts';
import { Keeper, makeRoom } from './keep.ts';
import { withoutShadowing } from '../vault/env-names.ts';
import { rootDir } from './paths.ts';
import { HELM_COMMAND_MS, isHelmInstall, recoverPending, withHelmTimeout } from './helm.ts';

export function createContext(topic: Topic, platform: Platform, lab: LabDir, report: Reporter, lang: Lang): LabContext {
  /** Variables that `set` commands defined during this run (unseal keys…): memory only, never written. */
  const vars: Record<string, string> = {};
  const env = () => ({ ...platform.runEnv(), ...vars });
  declarePublic(publicCommands(topic, platform));

  const vault = (node = 0, token?: string | null): VaultClient => {
    const n = platform.vaultNodes()[node];
    if (!n) throw new Error(`no vault node ${node}`);
    const tok = token === null ? undefined : (token ?? lab.adminToken());
    return new VaultClient({ addr: n.addr, caFile: n.caFile, token: tok, timeoutMs: 3000, ...(n.forwarded ? { retryRefusedMs: dropRetry(n).retryMs! } : {}) });
  };

  const ctx: LabContext = {
    topic,
    lang,
    platform,
    lab,
    report,
    vault,
    async activeVault(token) {
      // The first node that answers as active settles it: a node whose address is briefly refused (a port-forward being
      // restarted, retried for a few seconds) holds up only the answer "none is active".
      const nodes = platform.vaultNodes();
      const i = await new Promise<number>((resolve) => {
        let left = nodes.length;
        if (!left) resolve(-1);
        nodes.forEach((_, n) => {
          vault(n, null)
            .health()
            .then((h) => h.initialized && !h.sealed && !h.standby, () => false)
            .then((active) => {
              if (active) resolve(n);
              else if (--left === 0) resolve(-1);
            });
        });
      });
      return i < 0 ? undefined : { node: i, client: vault(i, token) };
    },
    async exec(cmd: Cmd) {
      if (cmd.kind !== 'set' && cmd.unless && (await cmd.unless(ctx))) {
        report.debug(report.t(msg(`이미 되어 있어 건너뜁니다: ${platform.render(cmd).split('\n')[0]}`, `already so, skipped: ${platform.render(cmd).split('\n')[0]}`)));
        return { command: platform.render(cmd), exitCode: 0, stdout: '', stderr: '' };
      }
      report.command(platform.render(cmd));
      return perform(cmd);
    },
  };

  async function perform(cmd: Cmd): Promise<RunResult> {
      switch (cmd.kind) {
        case 'vault': {
          const node = await aimedAt(cmd.node);
          // No leader (an election under way): the learner's line finds no vault-active endpoint and fails the same way.
          if (node === null) {
            if (cmd.mayFail) return { command: platform.render(cmd), exitCode: 1, stdout: '', stderr: 'no active node' };
            throw noActiveNode();
          }
          const e = env();
          const args = cmd.args.map((a) => substitute(a, e));
          const file = cmd.stdout ? substitute(cmd.stdout, e) : undefined;
          if (file && !file.startsWith(lab.dir + path.sep)) throw new LabError(msg(`랩 폴더 밖으로는 쓰지 않습니다: ${file}`, `refusing to write outside the lab folder: ${file}`));
          const name = file ? path.relative(lab.dir, file) : undefined;
          // noclobber, as the learner's line has it: an earlier output is moved aside (and kept), never overwritten.
          const aside = name && cmd.keep ? makeRoom(lab, name) : undefined;
          if (aside) report.debug(report.t(msg(`이전 파일 ${name}을 ${aside}에 보관했습니다.`, `the earlier ${name} is kept in ${aside}.`)));
          // An output that cannot be made again goes to disk from the child itself, before this process sees it.
          const spool = name && cmd.keep ? new Keeper(lab).spool(name) : undefined;
          const piped = cmd.pipeFrom ? await pipeOutput(cmd.pipeFrom, e) : undefined;
          const stdin = cmd.stdinVar ? varValue(cmd.stdinVar, e) : (piped ?? cmd.stdin);
          const cmdEnv = cmd.tokenVar ? { ...vars, VAULT_TOKEN: varValue(cmd.tokenVar, e) } : vars;
          const r = await platform.vaultCli(args, { ...(node !== undefined ? { node } : {}), env: cmdEnv, ...(stdin !== undefined ? { stdin } : {}), ...(cmd.env ? { forward: cmd.env } : {}), ...(spool ? { stdoutFile: spool } : {}) }).catch((e: unknown) => {
            if (cmd.mayFail && e instanceof CommandError) return e.result;
            throw e;
          });
          if (name) {
            lab.writeSecret(name, r.stdout + '\n');
            if (path.basename(name) === 'cluster-keys.json') lab.clusterKeys();
            if (cmd.keep) new Keeper(lab).snapshot(name);
          }
          if (spool) fs.rmSync(spool, { force: true });
          return captured(cmd, r);
        }
        case 'set': {
          const file = substitute(cmd.file, env());
          const text = fs.existsSync(file) ? lab.readSecret(path.relative(lab.dir, file)) : undefined;
          if (text === undefined) throw new LabError(msg(`파일이 없습니다: ${file}`, `${file} does not exist.`), { hint: msg('앞 단계(init)를 먼저 끝내세요.', 'Finish the init step first.') });
          // jq '.' on a plain-text secret (a password file) is the file itself, trimmed.
          const v = cmd.jq === '.' && !file.endsWith('.json') ? text.trim() : jqPath(JSON.parse(text), cmd.jq);
          if (typeof v !== 'string') throw new LabError(msg(`${file}에 ${cmd.jq} 값이 없습니다.`, `${file} has no ${cmd.jq}.`));
          registerSecret(v);
          vars[cmd.name] = v;
          return { command: cmd.name, exitCode: 0, stdout: '', stderr: '' };
        }
        case 'exec': {
          // `unset VAR` is a shell builtin: the learner's shell forgets a secret it exported; the lab does the same.
          if (cmd.file === 'unset') {
            for (const name of cmd.args) delete vars[name];
            return { command: `unset ${cmd.args.join(' ')}`, exitCode: 0, stdout: '', stderr: '' };
          }
          const e = env();
          // mayFail: the lesson shows the line with `|| true`, and the lab treats it the same way.
          // A piped line: its first half runs in a shell (the learner's own line), its output is this command's stdin.
          const piped = cmd.pipeFrom ? await pipeOutput(cmd.pipeFrom, e) : undefined;
          const line = cmd.stdinLine !== undefined ? `${substitute(cmd.stdinLine, e)}\n` : undefined;
          const input = piped ?? line ?? (cmd.stdin !== undefined ? substitute(cmd.stdin, e) : undefined);
          const [file, argv, cwd] = selfLab(cmd.file, cmd.args.map((a) => substitute(a, e)));
          const helmInstall = isHelmInstall(file, argv);
          if (helmInstall) {
            const recovered = await recoverPending(argv, { env: withoutShadowing(e) });
            if (recovered) report.warn(report.t(recovered));
          }
          const args = helmInstall ? withHelmTimeout(argv) : argv;
          const r = await run(file, args, { env: withoutShadowing(e), ...(cwd ? { cwd } : {}), ...(input !== undefined ? { input } : {}), ...(cmd.mayFail ? { reject: false } : {}), ...(helmInstall ? { timeoutMs: HELM_COMMAND_MS } : {}) });
          // A refusal the lesson expects is a failed command; a program that is not there is no refusal (issue 19, defect 11).
          if (cmd.mayFail && r.exitCode === 127) {
            throw new LabError(msg(`${cmd.file} 프로그램이 없습니다: 이 줄은 거절되는 것을 보여 주려는 것인데 실행조차 되지 않았습니다.`, `${cmd.file} is not installed: this line is meant to show a refusal, but it did not run at all.`), {
              hint: msg(`${cmd.file}를 설치하세요 (npx lab doctor).`, `Install ${cmd.file} (npx lab doctor).`),
            });
          }
          return captured(cmd, r);
        }
        case 'node': {
          const node = await aimedAt(cmd.node);
          if (node === null || node === undefined) throw noActiveNode();
          await platform.nodeAction(cmd.action, node);
          return { command: `${cmd.action} ${node}`, exitCode: 0, stdout: '', stderr: '' };
        }
        case 'wait': {
          // The probe as the learner's loop runs it: quietly, again and again; only its exit code counts.
          const probe = { ...cmd.probe, mayFail: true } as const;
          let last: RunResult | undefined;
          const held = await poll(async () => (last = await perform(probe)).exitCode === 0, { timeoutMs: cmd.timeoutSec * 1000, everyMs: 250 });
          if (held) return last!;
          const tail = last ? `${last.stderr || last.stdout}`.trim().split('\n').slice(-3).join('\n') : '';
          throw new LabError(msg(`${cmd.timeoutSec}초 동안 기다렸지만 성공하지 않았습니다: ${platform.render(cmd.probe)}`, `waited ${cmd.timeoutSec}s and this still did not succeed: ${platform.render(cmd.probe)}`), {
            ...(tail ? { detail: tail } : {}),
            hint: msg("'npx lab status'와 'npx lab info <topic>'의 로그를 확인하세요.", "Look at 'npx lab status' and the logs listed by 'npx lab info <topic>'."),
          });
        }
      }
  }
  /** A command's node: 'active' is the node answering as active now (null: none), as the vault-active Service selects it. */
  async function aimedAt(node: NodeTarget | undefined): Promise<number | undefined | null> {
    if (node !== 'active') return node;
    return (await ctx.activeVault(null))?.node ?? null;
  }

  /** The first half of a piped line runs in a shell, as the learner's does; its output becomes the command's stdin. */
  async function pipeOutput(line: string, e: Record<string, string>): Promise<string> {
    return (await run('sh', ['-c', line], { env: withoutShadowing(e) })).stdout;
  }

  /** `capture`: the output of a line that succeeded is a variable for the lines after it (memory only, masked). */
  function captured(cmd: Extract<Cmd, { kind: 'vault' | 'exec' }>, r: RunResult): RunResult {
    if (!cmd.capture || r.exitCode !== 0) return r;
    const v = r.stdout.trim();
    if (!v) throw new LabError(msg(`${cmd.capture}에 담을 출력이 비어 있습니다: ${platform.render(cmd)}`, `nothing to keep in ${cmd.capture}: the command printed nothing: ${platform.render(cmd)}`));
    registerSecret(v);
    vars[cmd.capture] = v;
    return r;
  }
  return ctx;
}

/** Every command this topic shows on this platform, rendered: what it shows is never masked (see redact.ts). */
function publicCommands(topic: Topic, platform: Platform): string {
  const lines: string[] = [];
  for (const s of topic.steps) {
    if (s.platforms && !s.platforms.includes(platform.name)) continue;
    for (const c of s.commands ?? []) {
      try {
        lines.push(platform.render(c));
      } catch {
        /* a command this platform cannot render is not shown on it either */
      }
    }
  }
  return lines.join('\n');
}

/**
 * `npx lab …` in a lesson is this lab itself (`lab mcp call`, `lab check`): run by this Node from this checkout, as
 * the learner's npx would from the project folder, whatever the caller's cwd and PATH (npx resolves `lab` from the cwd).
 */
function selfLab(file: string, args: string[]): [string, string[], string?] {
  if (file !== 'npx' || args[0] !== 'lab') return [file, args];
  return [process.execPath, [path.join(rootDir, 'bin', 'lab.js'), ...args.slice(1)], rootDir];
}

function noActiveNode(): LabError {
  return new LabError(msg('활성 노드가 없습니다: 이 명령은 리더에게 가야 합니다. 먼저 클러스터를 완성하세요.', 'no active node: this command goes to the leader. Finish the cluster first.'), {
    hint: msg("'npx lab check <topic>'으로 봉인된 노드와 리더를 확인하세요.", "See the sealed nodes and the leader with 'npx lab check <topic>'."),
  });
}

/** A $VAR a command reads on stdin or as its token: it must have been set (by a `set` step) earlier in this run. */
function varValue(name: string, env: Record<string, string | undefined>): string {
  const v = env[name];
  if (v === undefined) throw new LabError(msg(`변수 ${name}의 값이 설정되지 않았습니다.`, `${name} is not set.`), { hint: msg('앞의 명령(이 값을 읽는 줄)부터 실행하세요.', 'Run the earlier line that sets it first.') });
  return v;
}
