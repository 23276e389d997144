/**
 * Enrichment of unstructured text only (the county's legal description, listing remarks) through
 * Ollama's `/api/chat` with a JSON-schema `format` and temperature 0. The answer is validated by
 * zod; an invalid answer gets one repair attempt, then the deterministic fallback is used.
 * Structured fields are never sent to the model and never taken from it.
 */
import { request } from 'undici';
import { z } from 'zod';

export interface EnrichmentInput {
  apn: string;
  text: string;
}

export const enrichmentSchema = z.strictObject({
  apn: z.string(),
  subdivision: z.string().max(200).nullable(),
  lot: z.string().max(20).nullable(),
  unit: z.string().max(20).nullable(),
  isCondo: z.boolean(),
  tags: z.array(z.string().max(40)).max(10),
});
export type Enrichment = z.infer<typeof enrichmentSchema> & { method: 'llm' | 'rules' };

const batchSchema = z.strictObject({ items: z.array(enrichmentSchema) });

/** The JSON schema handed to Ollama as `format`. */
export const ENRICHMENT_FORMAT = z.toJSONSchema(batchSchema);

export type LlmOutcome = 'success' | 'repaired' | 'fallback' | 'error';

export interface LlmObserver {
  llm(model: string, outcome: LlmOutcome, seconds: number, batchSize: number): void;
}

export interface EnricherOptions {
  enabled: boolean;
  endpoint: string;
  model: string;
  timeoutMs: number;
  observer: LlmObserver;
}

/** Deterministic extraction used when the model is off or its answers stay invalid. */
export function ruleEnrichment(input: EnrichmentInput): Enrichment {
  const text = input.text.toUpperCase();
  const lot = /\bLOT\s+([0-9A-Z]+)\b/.exec(text)?.[1] ?? null;
  const unit = /\bUNIT\s+([0-9A-Z-]+)\b/.exec(text)?.[1] ?? null;
  const head = text.split(/\b(LOT|UNIT|BLK|BLOCK|TRACT|TOG)\b/)[0]?.trim() ?? '';
  const isCondo = /\bUNDIV\b|COMMON ELEMENTS|CONDO/.test(text);
  return {
    apn: input.apn,
    subdivision: head === '' ? null : head,
    lot,
    unit,
    isCondo,
    tags: isCondo ? ['condo'] : [],
    method: 'rules',
  };
}

const SYSTEM_PROMPT =
  'You extract facts from county legal descriptions of real-estate parcels. For every item, return ' +
  'its apn unchanged, the subdivision name, the lot and unit numbers (null when absent), whether it ' +
  'is a condominium, and up to 10 short lowercase tags. Use only what the text says.';

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** Validates a model answer against the batch it answers (pure). */
export function validateAnswer(
  content: string,
  batch: EnrichmentInput[],
): { ok: true; items: Enrichment[] } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, problem: 'the answer is not valid JSON' };
  }
  const parsed = batchSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: z.prettifyError(parsed.error) };
  const byApn = new Map(parsed.data.items.map((item) => [item.apn, item]));
  const missing = batch.filter((b) => !byApn.has(b.apn)).map((b) => b.apn);
  if (missing.length > 0 || byApn.size !== batch.length) {
    return { ok: false, problem: `items must be exactly the apns ${batch.map((b) => b.apn).join(', ')}` };
  }
  return {
    ok: true,
    items: batch.map((b) => ({ ...(byApn.get(b.apn) as z.infer<typeof enrichmentSchema>), method: 'llm' })),
  };
}

export class Enricher {
  readonly #options: EnricherOptions;

  constructor(options: EnricherOptions) {
    this.#options = options;
  }

  /** Enrichment of each input, in order; never throws for model trouble. */
  async enrich(batch: EnrichmentInput[], signal: AbortSignal): Promise<Enrichment[]> {
    if (batch.length === 0) return [];
    if (!this.#options.enabled) return batch.map(ruleEnrichment);
    const started = performance.now();
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: JSON.stringify({ items: batch }) },
    ];
    const { outcome, items } = await this.#attempts(messages, batch, signal);
    this.#options.observer.llm(
      this.#options.model,
      outcome,
      (performance.now() - started) / 1000,
      batch.length,
    );
    return items;
  }

  async #attempts(
    messages: ChatMessage[],
    batch: EnrichmentInput[],
    signal: AbortSignal,
  ): Promise<{ outcome: LlmOutcome; items: Enrichment[] }> {
    try {
      const first = await this.#chat(messages, signal);
      const checked = validateAnswer(first, batch);
      if (checked.ok) return { outcome: 'success', items: checked.items };
      const repair: ChatMessage[] = [
        ...messages,
        { role: 'assistant', content: first },
        {
          role: 'user',
          content: `That answer is invalid: ${checked.problem}. Answer again with JSON that matches the schema.`,
        },
      ];
      const second = validateAnswer(await this.#chat(repair, signal), batch);
      if (second.ok) return { outcome: 'repaired', items: second.items };
      return { outcome: 'fallback', items: batch.map(ruleEnrichment) };
    } catch (err) {
      if (signal.aborted) throw err;
      return { outcome: 'error', items: batch.map(ruleEnrichment) };
    }
  }

  async #chat(messages: ChatMessage[], signal: AbortSignal): Promise<string> {
    const response = await request(new URL('/api/chat', this.#options.endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: this.#options.model,
        messages,
        stream: false,
        format: ENRICHMENT_FORMAT,
        options: { temperature: 0 },
      }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
    });
    const body = (await response.body.json()) as { message?: { content?: unknown } };
    if (response.statusCode !== 200) throw new Error(`Ollama answered HTTP ${response.statusCode}`);
    const content = body.message?.content;
    if (typeof content !== 'string') throw new Error('Ollama answer has no message.content');
    return content;
  }
}
