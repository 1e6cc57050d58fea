/**
 * The shared layer store on Amazon S3 and S3-compatible services: {@link
 * dev.halcyon.s3.S3LayerStore} (built from a builder or from the {@code HALCYON_S3_*} environment
 * variables read by {@link dev.halcyon.s3.S3Settings}) signs every request with SigV4 through the
 * AWS SDK for Java v2, reaches every AWS region and any S3-compatible endpoint, transfers large
 * archives as parallel parts and byte ranges, verifies the SHA-256 of everything it reads, and
 * turns service errors into messages that name the setting to change. The SDK stays behind
 * package-private classes.
 */
package dev.halcyon.s3;
