/**
 * The scaling plan as data: each collector size preset gives the replica count and the per-pod
 * resources. A market's `spec.collector.replicas` and `spec.collector.resources` override the
 * preset field by field.
 */
export const COLLECTOR_SIZES = ['small', 'medium', 'large'] as const;
export type CollectorSize = (typeof COLLECTOR_SIZES)[number];

export interface SizePreset {
  readonly replicas: number;
  readonly cpu: string;
  readonly memory: string;
  /** Upper bound the plan suggests for autoscaling at this size. */
  readonly maxReplicas: number;
  readonly description: string;
}

export const SIZE_PRESETS: Readonly<Record<CollectorSize, SizePreset>> = Object.freeze({
  small: Object.freeze({
    replicas: 1,
    cpu: '250m',
    memory: '512Mi',
    maxReplicas: 2,
    description: 'smaller markets: Peoria, Surprise, Goodyear',
  }),
  medium: Object.freeze({
    replicas: 2,
    cpu: '500m',
    memory: '1Gi',
    maxReplicas: 4,
    description: 'mid-size cities: Scottsdale, Tempe, Mesa, Chandler, Gilbert, Glendale',
  }),
  large: Object.freeze({
    replicas: 3,
    cpu: '1',
    memory: '2Gi',
    maxReplicas: 8,
    description: 'the city of Phoenix',
  }),
});

type Quantity = string | number;

export interface EffectiveCollectorSize {
  replicas: number;
  resources: {
    requests: { cpu: Quantity; memory: Quantity };
    limits: { cpu: Quantity; memory: Quantity };
  };
}

interface CollectorSizing {
  size: CollectorSize;
  replicas?: number | undefined;
  resources?:
    | {
        requests?: { cpu?: Quantity | undefined; memory?: Quantity | undefined } | undefined;
        limits?: { cpu?: Quantity | undefined; memory?: Quantity | undefined } | undefined;
      }
    | undefined;
}

/**
 * Replicas and resources a collector runs with: the preset of its size, with requests equal to
 * limits (Guaranteed QoS), overridden field by field by the spec. Pure; never mutates its input.
 */
export function effectiveCollectorSize(collector: CollectorSizing): EffectiveCollectorSize {
  const preset = SIZE_PRESETS[collector.size];
  const requests = collector.resources?.requests;
  const limits = collector.resources?.limits;
  return {
    replicas: collector.replicas ?? preset.replicas,
    resources: {
      requests: { cpu: requests?.cpu ?? preset.cpu, memory: requests?.memory ?? preset.memory },
      limits: { cpu: limits?.cpu ?? preset.cpu, memory: limits?.memory ?? preset.memory },
    },
  };
}
