/** The API of the project: schemas, types, constants and validation of both kinds. */
export * from './common.ts';
export * from './schedule.ts';
export * from './size-presets.ts';
export * from './phoenix-market.ts';
export * from './monitoring-stack.ts';
export * from './validate.ts';
export { buildCrd, KIND_DEFINITIONS, PHOENIX_MARKET_DEFINITION, MONITORING_STACK_DEFINITION } from './crd.ts';
export type { CustomResourceDefinition, PrinterColumn } from './crd.ts';
