#!/usr/bin/python3
"""Rasterises DejaVu Sans (printable ASCII) into the anti-aliased glyph tables BitmapFont embeds.

Format (little-endian): b'SGF2', u16 height, u16 ascent, u16 count, then per glyph u16 code point (UTF-16),
u16 bitmap width, u16 advance, height*width alpha bytes (rows top to bottom); the pen origin is bitmap column 1.
Printable ASCII plus the few symbols reports use (± × ° µ ² ³ · – —).
Run from this folder on a machine with Pillow and fonts-dejavu-core; the output is committed.
"""
import struct
from PIL import Image, ImageDraw, ImageFont

PATH = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'
for size in (12, 16):
    font = ImageFont.truetype(PATH, size)
    ascent, descent = font.getmetrics()
    height = ascent + descent
    chars = [chr(c) for c in range(32, 127)] + list('±×°µ²³·–—')
    out = bytearray(b'SGF2') + struct.pack('<HHH', height, ascent, len(chars))
    for c in chars:
        advance = max(1, int(round(font.getlength(c))))
        width = advance + 2
        image = Image.new('L', (width, height), 0)
        ImageDraw.Draw(image).text((1, 0), c, font=font, fill=255)
        out += struct.pack('<HHH', ord(c), width, advance) + image.tobytes()
    with open(f'dejavu-sans-{size}.glyphs', 'wb') as f:
        f.write(out)
