export { DEFAULT_LIMITS, inspectImage, normalizeImage, type ImageInfo, type IntakeLimits, type NormalizedImage } from './intake'
export { parseEml, type EmlAttachment, type EmlLimits } from './eml'
export { sniff, type ImageMime } from './sniff'
export { megapixels, PIXEL_CAPS, PixelBudget, type PixelCaps } from './pixel-budget'
