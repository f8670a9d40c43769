/**
 * The light registry: every command's name and one-line summary, and nothing else, so `lab --help` loads no
 * command module (each one pulls in the engine and platforms). The rest of a command lives in its own file.
 */
import { msg, type Msg } from '../../engine/i18n.ts';

export const summaries = {
  list: msg('주제 목록과 진행 상태', 'topics, their platforms and state'),
  run: msg('실습 환경을 만들고 모든 단계를 자동 실행해 완료 상태로', 'build the lab and drive every step to the solved state'),
  start: msg('실습 환경만 만들고 첫 과제를 보여 줌', 'build the environment only and show the first task'),
  check: msg('자가 점검 (모두 통과하면 exit 0, 아니면 1)', 'self-check (exit 0 when all pass, 1 otherwise)'),
  hint: msg('지금 할 일과 명령', 'what to do next, with the commands'),
  solve: msg('한 단계(또는 전부)를 자동 실행', 'solve one step (or all)'),
  reset: msg('주제를 처음 상태로 (또는 한 단계만 되돌리기)', 'back to the start state (or undo one step)'),
  env: msg('셸 export 문 (eval "$(npx lab env <topic>)")', 'shell exports (eval "$(npx lab env <topic>)")'),
  info: msg('주소, 파일, 데모 계정', 'addresses, files, demo accounts'),
  status: msg('실행 중인 랩과 프로세스', 'running labs and their processes'),
  down: msg('랩 프로세스 정지 (데이터는 유지)', "stop a lab's processes (data is kept)"),
  node: msg('노드 하나를 시작, 정상 종료(stop), 강제 종료(kill), 데이터 초기화 후 재합류(reset)', 'start, stop (SIGTERM), kill (SIGKILL) or reset (wipe and rejoin) one node'),
  doctor: msg('필요한 프로그램 점검과 설치 방법', 'prerequisites, each with an install hint'),
  site: msg('학습 사이트 만들기/미리보기', 'build or preview the study site'),
  chaos: msg('장애 훈련: 쓰는 도중 활성 노드를 반복 강제 종료', 'chaos drill: hard-kill the active node under writes'),
  mcp: msg('에이전트의 MCP 서버(stdio) 실행, 또는 그 서버의 도구 호출', "run an agent's MCP server (stdio), or call its tools"),
  dev: msg('개발자용: 모든 콘텐츠 점검', 'for developers: prove all content'),
} satisfies Record<string, Msg>;

export type CommandName = keyof typeof summaries;
export const commandNames = Object.keys(summaries) as CommandName[];

/**
 * Options that take a value, as written before the command name (`lab --platform kind list`): the command is not
 * loaded yet, so they are listed here; a unit test compares this list with every command's definition.
 */
export const valuedOptions = ['--platform', '-p', '--out', '-o', '--interval', '--kills', '--mode', '--port', '--results', '--agent'];
