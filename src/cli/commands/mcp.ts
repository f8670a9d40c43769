/** `lab mcp serve|call --agent agent-N`: an agent's MCP server on stdio, or the lab's client calling its tools. */
import { defineCommand } from '../define.ts';
import { msg } from '../../engine/i18n.ts';
import { call as callTools, serve as serveAgent } from '../../mcp/cli.ts';

const agent = { type: 'string', value: 'agent-1|agent-2', description: msg('에이전트', 'agent') } as const;

const serve = defineCommand({
  meta: { name: 'serve', summary: msg('에이전트의 MCP 서버를 stdio로 실행', "run an agent's MCP server on stdio"), usage: 'lab mcp serve --agent agent-1' },
  args: { agent },
  run: (a) => serveAgent(a, a.args.agent),
});

const call = defineCommand({
  meta: { name: 'call', summary: msg('그 서버를 띄워 도구를 차례로 호출', 'start that server and call its tools in turn'), usage: 'lab mcp call --agent agent-1 credentials query=<SQL> revoke' },
  args: { agent, tools: { type: 'positional', rest: true, description: msg('credentials, query=<SQL>, revoke', 'credentials, query=<SQL>, revoke') } },
  run: (a) => callTools(a, a.args.agent, a.args.tools),
});

export default defineCommand({
  meta: { name: 'mcp', usage: 'lab mcp serve --agent agent-1 | lab mcp call --agent agent-1 credentials query=<SQL> revoke' },
  args: {},
  subCommands: { serve, call },
});
