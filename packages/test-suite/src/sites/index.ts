// Fixture sites: the project's own deterministic websites, served on 127.0.0.1.
export {
  FIXTURE_BATCHES,
  FIXTURE_INDUSTRIES,
  type FixtureCompany,
  filterCompanies,
  fixtureCompanies,
} from './companies.js';
export { DIRECTORY_PAGE_SIZE } from './directory.js';
export { type FixtureFile, fixtureFiles } from './files.js';
export { FORM_ROLES, formConfirmationNumber } from './form.js';
export { type FixtureItem, fixtureItems, INFINITE_PAGE_SIZE } from './infinite.js';
export { type FixtureSites, type FixtureSitesOptions, startFixtureSites } from './server.js';
export type { FixtureRequest, FixtureVariant, FormSubmission } from './site-types.js';
export {
  type FixtureFundingRound,
  type FixtureRevenueRow,
  fixtureFundingRounds,
  fixtureRevenue,
  fixtureSimpleTableCompanies,
  sortFundingRounds,
  TABLE_PAGE_SIZE,
} from './tables.js';
export { FIXTURE_PIXEL_PNG } from './testing.js';
