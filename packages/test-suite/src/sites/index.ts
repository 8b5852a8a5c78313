// Fixture sites: the project's own deterministic websites, served on 127.0.0.1.
export { type AccountSiteState, type FixtureAccount, fixtureOrders } from './account.js';
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
export { HOSTILE_VECTORS, type HostileVector } from './hostile.js';
export { type FixtureItem, fixtureItems, INFINITE_PAGE_SIZE } from './infinite.js';
export {
  type OneConnectionSite,
  type OneConnectionSiteOptions,
  startOneConnectionSite,
} from './one-connection.js';
export { generatePng, REAL_IMAGE_COUNT } from './real/assets.js';
export {
  REAL_FILE_COUNT,
  type RealDataFile,
  realDataFileBody,
  realDataFileSha256,
  realDataFiles,
} from './real/files.js';
export { type RealSites, startRealSites, UNREACHABLE_HOST } from './real/real-sites.js';
export { REAL_PRODUCT_COUNT, type RealProduct, realProducts, realShopResponse } from './real/shop.js';
export {
  REAL_RECEIPT,
  type RealAuthor,
  realAuthors,
  realCdnPrices,
  realExports,
  realInventory,
} from './real/traits.js';
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
export { startTripwire, type Tripwire } from './tripwire.js';
