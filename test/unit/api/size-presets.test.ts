import { describe, expect, it } from 'vitest';
import { SIZE_PRESETS, effectiveCollectorSize } from '../../../src/api/index.ts';

describe('size presets', () => {
  it('encode the scaling plan', () => {
    expect(SIZE_PRESETS.small).toMatchObject({ replicas: 1, cpu: '250m', memory: '512Mi' });
    expect(SIZE_PRESETS.medium).toMatchObject({ replicas: 2, cpu: '500m', memory: '1Gi' });
    expect(SIZE_PRESETS.large).toMatchObject({ replicas: 3, cpu: '1', memory: '2Gi' });
    expect(Object.isFrozen(SIZE_PRESETS.large)).toBe(true);
  });

  it('gives the preset when nothing overrides it', () => {
    expect(effectiveCollectorSize({ size: 'large' })).toEqual({
      replicas: 3,
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
    });
  });

  it('lets replicas and each resource value override the preset, without mutating the input', () => {
    const collector = { size: 'small' as const, replicas: 0, resources: { limits: { memory: '768Mi' } } };
    const snapshot = structuredClone(collector);
    expect(effectiveCollectorSize(collector)).toEqual({
      replicas: 0,
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '250m', memory: '768Mi' } },
    });
    expect(collector).toEqual(snapshot);
  });
});
