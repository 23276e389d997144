import type { CreatedObject, FieldError, MonitoringStackStatus } from '../../api/index.ts';
import { formatFieldErrors } from '../../api/index.ts';
import type { PrometheusSelectionStatus } from '../../monitoring/index.ts';
import { conditionsFrom, no, yes, type Verdict } from './conditions.ts';

/** What the MonitoringStack reconciler observed, for the pure status computation. */
export interface StackObservation {
  stack: { metadata?: { generation?: number }; status?: MonitoringStackStatus };
  parseErrors?: readonly FieldError[];
  /** Kinds the stack needs that the cluster does not serve, as `apiVersion Kind`. */
  missing?: readonly string[];
  selectedMarkets?: number;
  created?: readonly CreatedObject[];
  /** One entry per Prometheus; undefined when the Prometheus kind is not served. */
  selection?: readonly PrometheusSelectionStatus[];
  /** An object was refused (admission, schema): the message. */
  applyError?: string;
  now: string;
}

interface StackVerdicts {
  ready: Verdict;
  degraded: Verdict;
  prerequisites: Verdict;
}

const MAX_MESSAGE = 1024;

function clip(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`;
}

function missingVerdicts(missing: readonly string[], applied: number): StackVerdicts {
  const msg = clip(
    `the cluster does not serve ${missing.join(', ')}; install the Prometheus Operator ` +
      '(or grafana-operator) CRDs and the stack is applied as soon as they appear' +
      (applied > 0 ? ` (${applied} objects of served kinds are applied)` : ''),
  );
  return {
    ready: no('PrerequisitesMissing', msg),
    degraded: yes('PrerequisitesMissing', msg),
    prerequisites: yes('CRDsNotInstalled', msg),
  };
}

/** Prometheuses that exist but select neither our ServiceMonitor nor our rules. */
function selectionProblem(selection: readonly PrometheusSelectionStatus[] | undefined): string | undefined {
  if (selection === undefined || selection.length === 0) return undefined;
  if (selection.some((s) => s.serviceMonitorSelected && s.ruleSelected)) return undefined;
  const details = selection.map((s) => `${s.prometheus}: ${s.message ?? 'partially selected'}`);
  return clip(`no Prometheus selects both the ServiceMonitor and the rules (${details.join('; ')})`);
}

function verdicts(o: StackObservation): StackVerdicts {
  const allPresent = no('AllPresent', 'every kind the stack needs is served');
  if (o.parseErrors !== undefined && o.parseErrors.length > 0) {
    const msg = clip(formatFieldErrors(o.parseErrors));
    return { ready: no('InvalidSpec', msg), degraded: yes('InvalidSpec', msg), prerequisites: allPresent };
  }
  const applied = o.created?.length ?? 0;
  if (o.missing !== undefined && o.missing.length > 0) return missingVerdicts(o.missing, applied);
  if (o.applyError !== undefined) {
    const msg = clip(o.applyError);
    return { ready: no('ApplyFailed', msg), degraded: yes('ApplyFailed', msg), prerequisites: allPresent };
  }
  const done = `${applied} objects applied for ${o.selectedMarkets ?? 0} markets`;
  const problem = selectionProblem(o.selection);
  return {
    ready: yes('Applied', done),
    degraded: problem === undefined ? no('Applied', done) : yes('NotSelectedByPrometheus', problem),
    prerequisites: allPresent,
  };
}

/** The status the operator writes for a MonitoringStack. Pure: the clock comes in as `now`. */
export function computeStackStatus(o: StackObservation): MonitoringStackStatus {
  const generation = o.stack.metadata?.generation;
  const v = verdicts(o);
  const conditions = conditionsFrom(
    [
      ['Ready', v.ready],
      ['Degraded', v.degraded],
      ['PrerequisitesMissing', v.prerequisites],
    ],
    o.stack.status?.conditions ?? [],
    generation,
    o.now,
  );
  return {
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    conditions,
    ...(o.selectedMarkets === undefined ? {} : { selectedMarkets: o.selectedMarkets }),
    ...(o.created === undefined ? {} : { createdObjects: o.created.slice(0, 64) }),
    ...(o.missing === undefined || o.missing.length === 0
      ? {}
      : { missingPrerequisites: o.missing.slice(0, 32) }),
    ...(o.selection === undefined ? {} : { prometheusSelection: o.selection.slice(0, 32) }),
  };
}
