import { describe, expect, it } from 'vitest';
import {
  demoSecrets,
  exampleSecretsText,
  inNamespace,
  sampleMarkets,
  yamlObjects,
} from '../../../../src/local/demo/objects.ts';

describe('phoenix demo objects', () => {
  const values = { assessorToken: 'tok-1', mongodbUri: 'mongodb://127.0.0.1:27017/', random: () => 'r4nd0m' };

  it('gives every Secret and key of the example a generated value, none a placeholder', () => {
    const example = yamlObjects(exampleSecretsText());
    const secrets = demoSecrets(exampleSecretsText(), values, 'phoenix-demo');
    expect(secrets.map((s) => s.metadata?.name)).toEqual(example.map((s) => s.metadata?.name));
    for (const [i, secret] of secrets.entries()) {
      expect(secret.metadata?.namespace).toBe('phoenix-demo');
      const data = secret['stringData'] as Record<string, string>;
      expect(Object.keys(data)).toEqual(Object.keys(example[i]!['stringData'] as object));
      for (const value of Object.values(data)) expect(value).not.toMatch(/CHANGE/i);
    }
    const byName = Object.fromEntries(secrets.map((s) => [s.metadata?.name, s['stringData']]));
    expect(byName['phoenix-assessor']).toEqual({ token: 'tok-1' });
    expect(byName['phoenix-mongodb']).toEqual({ uri: 'mongodb://127.0.0.1:27017/' });
    expect(byName['phoenix-smtp']).toEqual({ password: 'r4nd0m' });
    expect(byName['phoenix-slack']).toEqual({ 'webhook-url': 'http://127.0.0.1:9/phoenix-slack/r4nd0m' });
  });

  it('reads the ten sample markets in file order', () => {
    const names = sampleMarkets().map((m) => m.name);
    expect(names).toHaveLength(10);
    expect(names.slice(0, 3)).toEqual(['phoenix', 'scottsdale', 'tempe']);
  });

  it('places an object in a namespace without changing the original', () => {
    const market = sampleMarkets()[0]!.object;
    const placed = inNamespace(market, 'phoenix-demo');
    expect(placed.metadata?.namespace).toBe('phoenix-demo');
    expect(placed.metadata?.labels).toEqual(market.metadata?.labels);
    expect(market.metadata?.namespace).toBeUndefined();
  });
});
