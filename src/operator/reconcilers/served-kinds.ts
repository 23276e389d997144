/**
 * Which custom kinds the cluster serves, from a cache of CustomResourceDefinitions: the
 * MonitoringStack reconciler's discovery check. Watching CRDs (rather than polling discovery)
 * means a stack waiting for the Prometheus Operator is reconciled the moment its CRDs become
 * Established, without a restart.
 */
import type { KindRef } from '../../monitoring/index.ts';
import type { GroupVersionKind, KubeObject } from '../kube/types.ts';

export const CRD_GVK: GroupVersionKind = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
};

/** API groups whose CRDs concern MonitoringStacks. */
export const MONITORING_GROUPS: readonly string[] = ['monitoring.coreos.com', 'grafana.integreatly.org'];

interface CrdFields {
  spec?: { group?: string; names?: { kind?: string }; versions?: { name?: string; served?: boolean }[] };
  status?: { conditions?: { type?: string; status?: string }[] };
}

/**
 * What the cache keeps of a CRD: its group, kind, served versions and conditions. The schemas
 * are dropped: the Prometheus Operator's CRDs alone are megabytes.
 */
export function slimCrd(obj: KubeObject): KubeObject {
  const crd = obj as KubeObject & CrdFields;
  const { name, namespace, uid, resourceVersion, generation } = crd.metadata ?? {};
  return {
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: { name, namespace, uid, resourceVersion, generation },
    spec: {
      group: crd.spec?.group,
      names: { kind: crd.spec?.names?.kind },
      versions: (crd.spec?.versions ?? []).map((v) => ({ name: v.name, served: v.served })),
    },
    status: { conditions: (crd.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status })) },
  } as KubeObject;
}

export function crdGroup(obj: KubeObject): string {
  return (obj as KubeObject & CrdFields).spec?.group ?? '';
}

/** `group/version Kind` of every established, served version. */
export function servedKinds(crds: readonly KubeObject[]): Set<string> {
  const served = new Set<string>();
  for (const obj of crds) {
    const crd = obj as KubeObject & CrdFields;
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    if (established !== true) continue;
    for (const v of crd.spec?.versions ?? []) {
      if (v.served === true)
        served.add(`${crd.spec?.group ?? ''}/${v.name ?? ''} ${crd.spec?.names?.kind ?? ''}`);
    }
  }
  return served;
}

/** Whether `ref` is served; kinds outside MONITORING_GROUPS (ConfigMap) always are. */
export function isServed(served: ReadonlySet<string>, ref: KindRef): boolean {
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  if (!MONITORING_GROUPS.includes(group)) return true;
  return served.has(`${ref.apiVersion} ${ref.kind}`);
}
