// The strict text-format parser lives in lib/tfserving/text-proto-parser.ts (the validation plugin ships it); the tests
// keep importing it from here.
export * from '../../lib/tfserving/text-proto-parser';
