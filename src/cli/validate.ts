import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { formatFieldErrors, validateDocuments, type DocumentReport } from '../api/index.ts';
import { UsageError, type Command } from './command.ts';

function reportLine(file: string, report: DocumentReport): string {
  const what = `${file}: ${report.kind}/${report.name || `#${report.index}`}`;
  return report.errors.length === 0 ? `${what}: valid` : `${what}: ${formatFieldErrors(report.errors)}`;
}

/** `phoenix validate <file>...`: the API server's validation of both kinds, without a cluster. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate PhoenixMarket and MonitoringStack manifests offline, with the CRD schemas',
  usage: 'phoenix validate <file.yaml>...   (exit 1 when a resource is invalid)',
  run(args) {
    if (args.length === 0) throw new UsageError('no file given');
    let invalid = 0;
    for (const file of args) {
      const reports = validateDocuments(loadAll(readFileSync(file, 'utf8')));
      for (const report of reports) {
        console.log(reportLine(file, report));
        if (report.errors.length > 0) invalid += 1;
      }
    }
    return Promise.resolve(invalid === 0 ? 0 : 1);
  },
};
