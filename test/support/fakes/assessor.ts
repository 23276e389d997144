/** The Assessor API fake of the tests is the stand-in the local demo runs. */
export {
  startAssessorStandIn as startFakeAssessor,
  STAND_IN_HEADER,
} from '../../../src/local/assessor-standin.ts';
export type { AssessorStandIn as FakeAssessor, ScriptedFault } from '../../../src/local/assessor-standin.ts';
export { apnOf, formatApn, parcelOf } from '../../../src/local/assessor-data.ts';
