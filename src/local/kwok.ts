import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';

/** Annotation kwok manages nodes by; nodes without it are left alone. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export function kwokArgs(kubeconfig: string, serverPort: number): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    '--manage-nodes-with-label-selector=',
    '--cidr=10.244.0.1/16',
    '--node-ip=10.244.0.1',
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${serverPort}`,
  ];
}

export function fakeNode(name: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': name.endsWith('1') ? 'zone-a' : 'zone-b',
        type: 'kwok',
      },
    },
    status: {
      allocatable: { cpu: '64', memory: '256Gi', pods: '1000' },
      capacity: { cpu: '64', memory: '256Gi', pods: '1000' },
    },
  };
}

/** Creates `count` fake nodes (kwok-node-1, ...) that kwok marks Ready and runs pods on. */
export async function createFakeNodes(kubeconfigPath: string, count: number): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  for (let i = 1; i <= count; i++) {
    await core.createNode({ body: fakeNode(`kwok-node-${i}`) });
  }
}
