// The push payload's old address, kept only for the two importers outside the app's files
// (src/lib/server/push/dispatcher.ts and tests/push/dispatcher.test.ts): delete it once they
// import src/lib/schemas/push-payload.ts.
export * from '../schemas/push-payload.ts';
