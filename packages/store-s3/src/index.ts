export {
  createS3BlobStore,
  type S3BlobStore,
  type S3BlobStoreOptions,
  type S3ConnectionOptions,
} from './s3-blob-store.js';
