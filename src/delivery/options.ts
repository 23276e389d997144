/** Names and labels shared by the operator's install objects. */

export interface DeliveryOptions {
  /** Namespace of the operator (its Deployment, ServiceAccount and leader-election Lease). */
  namespace: string;
  /** Name of the ServiceAccount, Deployment, ClusterRole and bindings. */
  name: string;
  /** Prefix of the per-kind editor/viewer ClusterRoles (`<prefix>-phoenixmarket-editor`). */
  rolePrefix: string;
  image: string;
  /** The collector image a market gets when it names none (PHOENIX_COLLECTOR_IMAGE). */
  collectorImage: string;
}

export const APP_VERSION = '0.1.0';
export const IMAGE = `ghcr.io/phoenix-real-estate/phoenix:${APP_VERSION}`;

export const DEFAULT_DELIVERY: Readonly<DeliveryOptions> = Object.freeze({
  namespace: 'phoenix-system',
  name: 'phoenix-operator',
  rolePrefix: 'phoenix',
  image: IMAGE,
  collectorImage: IMAGE,
});

export function selectorLabels(o: DeliveryOptions): Record<string, string> {
  return { 'app.kubernetes.io/name': 'phoenix-operator', 'app.kubernetes.io/instance': o.name };
}

export function operatorLabels(o: DeliveryOptions): Record<string, string> {
  return {
    ...selectorLabels(o),
    'app.kubernetes.io/component': 'operator',
    'app.kubernetes.io/part-of': 'phoenix-real-estate',
    'app.kubernetes.io/version': APP_VERSION,
  };
}
