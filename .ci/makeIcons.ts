// Draws Hearth's app icons (a warm house with a flame) as real PNG files, with no image
// library: shapes are tested per pixel with 4×4 supersampling and written with zlib.
// Run: node --import tsx .ci/makeIcons.ts  (writes static/icon-192.png, static/icon-512.png)
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

type Rgb = [number, number, number];
const BACKGROUND: Rgb = [0x8a, 0x3b, 0x12];
const HOUSE: Rgb = [0xff, 0xfa, 0xf5];
const FLAME: Rgb = [0xe0, 0x6a, 0x1f];

/** Which colour covers the point (x, y) in a 1×1 square, or undefined for the background. */
function colourAt(x: number, y: number): Rgb | undefined {
	// The flame: a teardrop, a circle at the bottom narrowing to a point at the top.
	const fx = x - 0.5;
	const fy = y - 0.63;
	const r = 0.1;
	if (fy >= 0 && fx * fx + fy * fy <= r * r) return FLAME;
	if (fy < 0 && fy > -0.2 && Math.abs(fx) <= r * (1 + fy / 0.2) * Math.sqrt(1 + fy / 0.4)) return FLAME;
	// The house: a roof (triangle) over a body (rectangle), kept inside the maskable safe zone.
	const roof = y >= 0.22 && y <= 0.47 && Math.abs(x - 0.5) <= ((y - 0.22) / 0.25) * 0.3;
	const body = y >= 0.45 && y <= 0.78 && x >= 0.28 && x <= 0.72;
	if (roof || body) return HOUSE;
	return undefined;
}

function crc32(bytes: Uint8Array): number {
	let c = ~0;
	for (const b of bytes) {
		c ^= b;
		for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'ascii');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
	return Buffer.concat([head, data, crc]);
}

export function iconPng(size: number): Buffer {
	const samples = 4;
	const rows = Buffer.alloc(size * (1 + size * 3));
	for (let py = 0; py < size; py++) {
		rows[py * (1 + size * 3)] = 0; // filter: none
		for (let px = 0; px < size; px++) {
			const sum = [0, 0, 0];
			for (let sy = 0; sy < samples; sy++) {
				for (let sx = 0; sx < samples; sx++) {
					const c = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size) ?? BACKGROUND;
					for (let i = 0; i < 3; i++) sum[i] += c[i];
				}
			}
			const o = py * (1 + size * 3) + 1 + px * 3;
			for (let i = 0; i < 3; i++) rows[o + i] = Math.round(sum[i] / (samples * samples));
		}
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type: RGB
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(rows, { level: 9 })),
		chunk('IEND', new Uint8Array(0))
	]);
}

for (const size of [192, 512]) {
	writeFileSync(resolve(import.meta.dirname, '..', 'static', `icon-${size}.png`), iconPng(size));
}
