/** Jest in native ESM mode with ts-jest (see docs/architecture.md, "Toolchain"). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  clearMocks: true,
  // Inside the project: npm test points TMPDIR at a folder it removes (scripts/test.sh), and the cache should last.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testTimeout: 30000
}
