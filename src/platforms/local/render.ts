import type { Cmd, VaultSpec } from '../../engine/types.ts';
import { withFlag } from '../../vault/cli-args.ts';
import { captureLine, displayArg, nodeName, renderSet, waitLine } from '../display.ts';

/** How a learner types a command on the local platform (after `eval "$(npx lab env <topic>)"`). */
export function renderLocal(cmd: Cmd, spec: Pick<VaultSpec, 'name' | 'activeAddr'>, topic: string): string {
  // `lab env` points KUBECONFIG at the lab's own kubeconfig, whose only context is the lab's: the flag is noise here.
  return renderLocalRaw(cmd, spec, topic).replace(/kubectl --context "?\$LAB_KUBE_CONTEXT"? /g, 'kubectl ');
}

function renderLocalRaw(cmd: Cmd, spec: Pick<VaultSpec, 'name' | 'activeAddr'>, topic: string): string {
  const args = (a: string[]) => a.map(displayArg).join(' ');
  switch (cmd.kind) {
    case 'vault': {
      // 'active': VAULT_ADDR itself, when it follows the active node (the vault-active relay); a topic without the relay
      // has no line that finds the leader.
      if (cmd.node === 'active' && !spec.activeAddr) throw new Error(`node 'active' needs a VAULT_ADDR that follows the active node (vault.activeAddr): vault ${cmd.args.join(' ')}`);
      // VAULT_ADDR is vault-0 unless it follows the active node: then vault-0 is named like any other node.
      const aimed = cmd.node !== 'active' && (cmd.node || (cmd.node === 0 && spec.activeAddr));
      let s = `vault ${args(aimed ? withFlag(cmd.args, `-address=$VAULT_ADDR_${cmd.node}`) : cmd.args)}`;
      if (cmd.tokenVar) s = `VAULT_TOKEN="$${cmd.tokenVar}" ${s}`;
      if (cmd.stdinVar) s += ` <<< "$${cmd.stdinVar}"`;
      if (cmd.stdout) s += ` > ${displayArg(cmd.stdout)}`;
      // A subshell keeps noclobber from changing the rest of the learner's session.
      if (cmd.stdout && cmd.keep) s = `(set -o noclobber; ${s})`;
      if (cmd.stdin !== undefined) s += ` <<'EOF'\n${cmd.stdin.replace(/\n$/, '')}\nEOF`;
      if (cmd.pipeFrom) s = `${cmd.pipeFrom} | ${s}`;
      return captureLine(cmd, s);
    }
    case 'set':
      return renderSet(cmd);
    case 'exec': {
      let s = `${cmd.file} ${args(cmd.args)}`;
      // The lab substitutes $VARS in an exec's stdin; an unquoted heredoc makes the learner's shell do the same.
      const eof = cmd.stdin !== undefined && /\$\{?\w/.test(cmd.stdin) ? 'EOF' : "'EOF'";
      if (cmd.stdin !== undefined) s += ` <<${eof}\n${cmd.stdin.replace(/\n$/, '')}\nEOF`;
      if (cmd.stdinLine !== undefined) s += ` <<< "${cmd.stdinLine}"`;
      if (cmd.pipeFrom) s = `${cmd.pipeFrom} | ${s}`;
      return captureLine(cmd, s);
    }
    case 'node': {
      // Which node leads is the lab's to find (`lab node … active` asks the nodes, as the relay does).
      if (cmd.node === 'active') return `npx lab node ${topic} ${cmd.action} active`;
      const name = nodeName(spec, cmd.node);
      if (cmd.action === 'kill') return `kill -9 "$(cat "$LAB_DIR/logs/${name}.pid")"`;
      if (cmd.action === 'stop') return `kill -TERM "$(cat "$LAB_DIR/logs/${name}.pid")"`;
      return `npx lab node ${topic} start ${name}`;
    }
    case 'wait':
      return waitLine(renderLocalRaw(cmd.probe, spec, topic));
  }
}
