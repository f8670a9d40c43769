/**
 * Where each section of the week-8 study note is taught: note section → lesson heading(s). The site's index shows it as a
 * table with links; the build resolves every heading against the lesson's own table of contents and reports the ones it
 * cannot find (test/unit/site.test.ts requires none).
 */
export interface CoverageTarget {
  topic: string;
  /** A level-2 or level-3 heading of labs/<topic>/lesson.ko.md, exactly as written. */
  heading: string;
}

export interface CoverageRow {
  /** The study note's part and section, as numbered there. */
  part: string;
  section: string;
  targets: CoverageTarget[];
  /** Said when a section is not taught, or only partly. */
  remark?: string;
}

const t = (topic: string, heading: string): CoverageTarget => ({ topic, heading });

export const COVERAGE: CoverageRow[] = [
  { part: 'VSO 심화', section: '1. VSO 동작 원리 (워크플로우, 4단계)', targets: [t('vso', '큰 그림: 네 단계 흐름')] },
  { part: 'VSO 심화', section: '2. Kubernetes 인증 메커니즘', targets: [t('k8s-auth', '로그인 한 번에 일어나는 일'), t('k8s-auth', 'Vault에게 필요한 Kubernetes 권한')] },
  {
    part: 'VSO 심화',
    section: '3. ServiceAccount 토큰 (Token Controller, 어드미션, Projection)',
    targets: [t('vso', 'ServiceAccount 토큰 다시 보기'), t('vso', 'Token Controller와 ServiceAccount 어드미션 컨트롤러'), t('vso', 'TokenRequest와 projected 토큰 볼륨'), t('k8s-auth', '두 종류의 SA 토큰')],
  },
  { part: 'Vault on Kubernetes', section: '1. Kubernetes에 Vault 설치 (kind, Helm, 초기 상태)', targets: [t('vault-k8s', 'Kubernetes에서 설치하는 모습 (kind)'), t('vault-k8s', '1단계: 서버 기동')] },
  { part: 'Vault on Kubernetes', section: '2. 초기화와 봉인 해제, CLI와 UI 접속', targets: [t('vault-k8s', '봉인과 키의 계층'), t('vault-k8s', '2단계: 초기화'), t('vault-k8s', '3단계: 봉인 해제'), t('vault-k8s', '6단계: 세 가지 방법으로 읽기')] },
  { part: 'Vault on Kubernetes', section: '3. 시크릿 생성과 확인 (KV v2, API)', targets: [t('vault-k8s', '4단계: KV v2 엔진 활성화'), t('vault-k8s', '5단계: 시크릿 쓰기'), t('vault-k8s', '6단계: 세 가지 방법으로 읽기')] },
  { part: 'Kubernetes 인증 설정', section: '1. 정책과 role 구성', targets: [t('k8s-auth', '3단계: API 서버 주소, CA, 리뷰어 JWT'), t('k8s-auth', '4단계: 정책 작성'), t('k8s-auth', '5단계: role 만들기')] },
  { part: 'Kubernetes 인증 설정', section: '2. ServiceAccount 권한 확인 (system:auth-delegator)', targets: [t('k8s-auth', 'Vault에게 필요한 Kubernetes 권한')] },
  { part: 'Kubernetes 인증 설정', section: '3. 토큰 볼륨 프로젝션, TokenRequest API', targets: [t('vso', 'TokenRequest와 projected 토큰 볼륨'), t('k8s-auth', '6단계: 로그인과 시크릿 읽기')] },
  { part: 'Vault HA', section: '1. HA 아키텍처 (활성, 대기)', targets: [t('ha-failover', '구조 한눈에 보기')] },
  { part: 'Vault HA', section: '2. Raft 스토리지 (quorum, Consul 비교)', targets: [t('ha-failover', 'Quorum 계산'), t('ha-failover', 'Raft와 Consul 스토리지 비교')] },
  {
    part: 'Vault HA',
    section: '3. HA 클러스터 구성 (kind 워커 3개, ingress, values, 초기화, 합류)',
    targets: [t('ha-failover', 'kind와 Helm으로 할 때'), t('ha-failover', '2단계: 첫 노드 초기화'), t('ha-failover', '4단계: 팔로워 합류'), t('ha-failover', '6단계: 피어 목록 확인')],
  },
  { part: 'Vault HA', section: '장애 전환 테스트', targets: [t('ha-failover', '8단계: 장애 전환 훈련'), t('ha-failover', '9단계: 멈춘 노드 복귀')] },
  { part: 'LDAP 인증', section: '1. LDAP 인증 방식 (워크플로우, 시크릿·정책·인증)', targets: [t('ldap', '왜 LDAP 연동인가'), t('ldap', '로그인 과정')] },
  { part: 'LDAP 인증', section: '2. LDAP 인증 설정', targets: [t('ldap', '3단계: 연결 설정')] },
  { part: 'LDAP 인증', section: '3. 정책 매핑과 로그인 테스트', targets: [t('ldap', '5단계: 그룹에 정책 매핑'), t('ldap', '6단계: 사용자에게 추가 정책'), t('ldap', '7단계: 로그인과 토큰 확인')] },
  { part: 'TLS', section: '1. 인증서 생성과 적용 (시크릿, Helm values, 업그레이드)', targets: [t('tls', '1단계: CA와 서버 인증서 만들기'), t('tls', '2단계: TLS 리스너로 서버 기동'), t('tls', 'Kubernetes에서: Ingress SSL passthrough')] },
  { part: 'TLS', section: '2. Ingress SSL passthrough', targets: [t('tls', 'Kubernetes에서: Ingress SSL passthrough')], remark: 'Ingress 실습은 kind 클러스터에서만 가능' },
  { part: 'TLS', section: '3. 클라이언트 TLS 설정 (CLI, curl, Python, Go)', targets: [t('tls', '3단계: 클라이언트 설정'), t('tls', '4단계: 검증')] },
  { part: 'MCP 서버와 Vault', section: '1. AI 에이전트 신원 관리', targets: [t('mcp', '풀려는 문제')] },
  { part: 'MCP 서버와 Vault', section: '2. 원격 MCP 시크릿 관리 (구조)', targets: [t('mcp', '구조')] },
  {
    part: 'MCP 서버와 Vault',
    section: '3. 권장 패턴 (AppRole, 정책, 동적 DB 자격 증명, 에이전트 코드)',
    targets: [t('mcp', '2단계: AppRole 인증과 에이전트별 role'), t('mcp', '3단계: 최소 권한 정책'), t('mcp', '5단계: 에이전트별 DB role'), t('mcp', '6단계: 에이전트처럼 행동하기'), t('mcp', '8단계: MCP 서버를 MCP 클라이언트로 띄우기')],
  },
  { part: '8주차 정리', section: '1. 핵심 성취 목표', targets: ['vso', 'vault-k8s', 'k8s-auth', 'ha-failover', 'ldap', 'tls', 'mcp', 'production'].map((id) => t(id, '정리')) },
  {
    part: '8주차 정리',
    section: '2. 프로덕션 체크리스트',
    targets: [t('production', '무엇을 확인하고 무엇을 못 하나'), t('production', '4단계: transit 자동 봉인 해제'), t('production', '3단계: 스냅샷 복구'), t('production', '상태 확인 엔드포인트: sys/health'), t('production', '이 실습 밖의 항목')],
  },
  { part: '8주차 정리', section: '3. 마무리와 다음 단계 (로드맵, 추가 자료)', targets: [], remark: '실습할 내용이 없는 안내라 레슨으로 옮기지 않음' },
];
