import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertPhoenixMarket } from '../../../src/api/index.ts';
import {
  KIND_ROLES,
  OPERATOR_CLUSTER_RULES,
  OPERATOR_NAMESPACE_RULES,
  type PolicyRule,
} from '../../../src/delivery/rbac.ts';
import { buildMarketObjects, MARKET_CHILD_KINDS } from '../../../src/resources/phoenix-market/index.ts';
import { repoRoot } from '../../../src/shared/tools.ts';
import { loadSamples } from '../../fixtures/api/samples.ts';

const ALL_RULES: readonly PolicyRule[] = [
  ...OPERATOR_CLUSTER_RULES,
  ...OPERATOR_NAMESPACE_RULES,
  ...KIND_ROLES.flatMap((r) => r.rules),
];
const KNOWN_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Plural of each kind a market owns; a new child kind must be added here (and to the rules). */
const CHILD_PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps',
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  Service: 'services',
  Deployment: 'deployments',
  PodDisruptionBudget: 'poddisruptionbudgets',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  NetworkPolicy: 'networkpolicies',
};

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

function allows(rules: readonly PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) =>
      r.resourceNames === undefined &&
      r.apiGroups.includes(group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb),
  );
}

describe('operator RBAC rules', () => {
  it('use no wildcards and only known verbs', () => {
    for (const rule of ALL_RULES) {
      for (const value of [...rule.apiGroups, ...rule.resources, ...rule.verbs]) {
        expect(value).not.toContain('*');
      }
      for (const verb of rule.verbs) expect(KNOWN_VERBS).toContain(verb);
    }
  });

  it('grant no access to Secrets, nodes, pods or RBAC escalation verbs', () => {
    const resources = ALL_RULES.flatMap((r) => r.resources);
    for (const forbidden of [
      'secrets',
      'nodes',
      'pods',
      'pods/exec',
      'clusterroles',
      'clusterrolebindings',
    ]) {
      expect(resources).not.toContain(forbidden);
    }
    const verbs = ALL_RULES.flatMap((r) => r.verbs);
    for (const forbidden of ['escalate', 'bind', 'impersonate']) expect(verbs).not.toContain(forbidden);
  });

  it('name, for every rule, source files that exist and mention its resources', () => {
    for (const rule of [...OPERATOR_CLUSTER_RULES, ...OPERATOR_NAMESPACE_RULES]) {
      expect(rule.usedBy.length).toBeGreaterThan(0);
      for (const file of rule.usedBy) {
        expect(existsSync(join(repoRoot, file)), `${file} (used by ${rule.resources.join(',')})`).toBe(true);
      }
    }
  });

  it('grant each (group, resource, verb) once, so no rule is redundant', () => {
    const seen = new Set<string>();
    for (const rule of OPERATOR_CLUSTER_RULES) {
      for (const g of rule.apiGroups) {
        for (const key of rule.resources.flatMap((r) => rule.verbs.map((v) => `${g}/${r}:${v}`))) {
          expect(seen.has(key), key).toBe(false);
          seen.add(key);
        }
      }
    }
  });

  it('cover every market child kind: informers, server-side apply and pruning', () => {
    for (const gvk of MARKET_CHILD_KINDS) {
      const plural = CHILD_PLURALS[gvk.kind];
      expect(plural, `plural of ${gvk.kind}`).toBeDefined();
      for (const verb of ['get', 'list', 'watch', 'create', 'patch', 'delete']) {
        expect(
          allows(OPERATOR_CLUSTER_RULES, groupOf(gvk.apiVersion), plural!, verb),
          `${gvk.kind} ${verb}`,
        ).toBe(true);
      }
    }
  });

  it('hold every permission the operator grants to a collector (escalation prevention)', () => {
    const markets = loadSamples()
      .filter((s) => s.object.kind === 'PhoenixMarket')
      .map((s) =>
        assertPhoenixMarket({ ...s.object, metadata: { ...(s.object.metadata as object), namespace: 'x' } }),
      );
    const roles = markets
      .flatMap((m) => buildMarketObjects(m, { collectorImage: 'img' }))
      .filter((o) => o.kind === 'Role');
    expect(roles).toHaveLength(markets.length);
    for (const role of roles) {
      for (const rule of role.rules as PolicyRule[]) {
        for (const [g, r, v] of rule.apiGroups.flatMap((g) =>
          rule.resources.flatMap((r) => rule.verbs.map((v) => [g, r, v] as const)),
        )) {
          expect(allows(OPERATOR_CLUSTER_RULES, g, r, v), `${g}/${r}:${v}`).toBe(true);
        }
      }
    }
  });

  it('let leader election and the event recorder make their calls', () => {
    for (const verb of ['get', 'create', 'update']) {
      expect(allows(OPERATOR_NAMESPACE_RULES, 'coordination.k8s.io', 'leases', verb)).toBe(true);
    }
    expect(allows(OPERATOR_CLUSTER_RULES, 'coordination.k8s.io', 'leases', 'get')).toBe(false);
    for (const verb of ['create', 'patch'])
      expect(allows(OPERATOR_CLUSTER_RULES, '', 'events', verb)).toBe(true);
    // The calls these rules stand for are really made by the files they name.
    const election = readFileSync(join(repoRoot, 'src/operator/runtime/leader-election.ts'), 'utf8');
    expect(election).toMatch(/client\.replace/);
    expect(election).toMatch(/client\.create/);
    const events = readFileSync(join(repoRoot, 'src/operator/runtime/events.ts'), 'utf8');
    expect(events).toMatch(/client\.mergePatch/);
    expect(events).toMatch(/client\.create/);
  });
});

describe('per-kind editor and viewer roles', () => {
  it('aggregate editors to admin and edit, viewers to view, and let viewers only read', () => {
    expect(KIND_ROLES.map((r) => r.suffix)).toEqual([
      'phoenixmarket-editor',
      'phoenixmarket-viewer',
      'monitoringstack-editor',
      'monitoringstack-viewer',
    ]);
    for (const role of KIND_ROLES) {
      const viewer = role.suffix.endsWith('-viewer');
      expect(role.aggregateTo).toEqual(viewer ? ['view'] : ['admin', 'edit']);
      const verbs = role.rules.flatMap((r) => r.verbs);
      if (viewer) expect([...new Set(verbs)].sort()).toEqual(['get', 'list', 'watch']);
      else expect(verbs).toContain('delete');
    }
    expect(allows(KIND_ROLES[0]!.rules, 'realestate.phoenix.io', 'phoenixmarkets/scale', 'update')).toBe(
      true,
    );
    // Status belongs to the operator and the collectors: people read it, never write it.
    for (const role of KIND_ROLES) {
      const status = role.rules.filter((r) => r.resources.some((x) => x.endsWith('/status')));
      for (const rule of status) expect(rule.verbs).toEqual(['get']);
    }
  });
});
