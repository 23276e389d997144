import { PhoenixError, type ErrorKind } from '../../shared/errors.ts';

/**
 * Errors from the Kubernetes API, classified so that callers branch on `code` or `kind`:
 *
 * | code              | HTTP         | kind      | meaning                                             |
 * | ----------------- | ------------ | --------- | --------------------------------------------------- |
 * | KUBE_NOT_FOUND    | 404          | terminal  | the object (or its kind) does not exist             |
 * | KUBE_CONFLICT     | 409          | conflict  | stale resourceVersion, or already exists            |
 * | KUBE_GONE         | 410          | transient | resourceVersion too old: relist                     |
 * | KUBE_FORBIDDEN    | 401, 403     | terminal  | RBAC or credentials                                 |
 * | KUBE_INVALID      | 400, 422     | terminal  | the request body was rejected by validation         |
 * | KUBE_THROTTLED    | 429          | transient | API priority and fairness asked us to slow down     |
 * | KUBE_UNAVAILABLE  | 5xx, network | transient | the API server is down, restarting or overloaded    |
 * | KUBE_WATCH_STALLED| -            | transient | the watchdog saw no event or bookmark for too long |
 */
export type KubeErrorCode =
  | 'KUBE_NOT_FOUND'
  | 'KUBE_CONFLICT'
  | 'KUBE_GONE'
  | 'KUBE_FORBIDDEN'
  | 'KUBE_INVALID'
  | 'KUBE_THROTTLED'
  | 'KUBE_UNAVAILABLE'
  | 'KUBE_WATCH_STALLED'
  | 'KUBE_UNEXPECTED';

export class KubeError extends PhoenixError {
  override readonly name = 'KubeError';
  declare readonly code: KubeErrorCode;
  /** HTTP status, 0 when the request never got a response. */
  readonly status: number;
  /** `reason` of the API server's Status object, when there was one (e.g. AlreadyExists). */
  readonly reason: string | undefined;

  constructor(
    code: KubeErrorCode,
    message: string,
    options: { status?: number; reason?: string; kind?: ErrorKind; cause?: unknown } = {},
  ) {
    super(code, message, { kind: options.kind ?? kindOf(code), cause: options.cause });
    this.status = options.status ?? 0;
    this.reason = options.reason;
  }
}

function kindOf(code: KubeErrorCode): ErrorKind {
  switch (code) {
    case 'KUBE_CONFLICT':
      return 'conflict';
    case 'KUBE_GONE':
    case 'KUBE_THROTTLED':
    case 'KUBE_UNAVAILABLE':
    case 'KUBE_WATCH_STALLED':
      return 'transient';
    default:
      return 'terminal';
  }
}

/** Maps an HTTP status to an error code. */
export function codeForStatus(status: number): KubeErrorCode {
  if (status === 404) return 'KUBE_NOT_FOUND';
  if (status === 409) return 'KUBE_CONFLICT';
  if (status === 410) return 'KUBE_GONE';
  if (status === 401 || status === 403) return 'KUBE_FORBIDDEN';
  if (status === 400 || status === 422) return 'KUBE_INVALID';
  if (status === 429) return 'KUBE_THROTTLED';
  if (status >= 500 || status === 0) return 'KUBE_UNAVAILABLE';
  return 'KUBE_UNEXPECTED';
}

/** The subset of a Kubernetes `Status` object we read. */
export interface KubeStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

export function kubeErrorFromStatus(what: string, status: number, body: KubeStatus | undefined): KubeError {
  const code = codeForStatus(status);
  const detail = body?.message ?? `HTTP ${status}`;
  return new KubeError(code, `${what}: ${detail}`, {
    status,
    ...(body?.reason === undefined ? {} : { reason: body.reason }),
  });
}

export function isKubeError(err: unknown, code?: KubeErrorCode): err is KubeError {
  return err instanceof KubeError && (code === undefined || err.code === code);
}
