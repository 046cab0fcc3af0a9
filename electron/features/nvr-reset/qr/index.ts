export { decodeQr, STRATEGY_NAMES, type DecodeOptions, type DecodeResult, type Point, type QrCode, type Quad } from './decode'
export { DecoderPool, decodeInWorker, shutdownDecoderPool, type DecodeJobOptions, type PoolOptions } from './decoder-pool'
