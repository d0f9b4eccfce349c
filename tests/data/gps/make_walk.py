#!/usr/bin/env python3
"""Writes walk.nmea: a short walk in Dar es Salaam towards the demo site
"Mto Ng'ombe channel - Uzuri footbridge" (-6.795812, 39.246905), as a GNSS
receiver reports it once a second in NMEA 0183 (GGA, GSA, GSV, RMC), for
gpsfake to replay to the real gpsd client code in the tests.

The walk, one epoch a second (the numbers the tests check are in the
comments of PHASES):
  1. a cold start under trees: 4-5 satellites, HDOP 3.5 then 2.5;
  2. out in the open: HDOP falls to 0.4 with 10 satellites;
  3. under a concrete footbridge: the fix is lost (GGA quality 0, RMC "V",
     GSA mode 1, no position);
  4. out again: the fix is regained, HDOP 1.6 then 0.4.

Reproducible: no randomness and no clock; run `python3 make_walk.py` in this
folder and walk.nmea comes out byte for byte the same. Every sentence carries
its XOR checksum.
"""

import math
import pathlib

SITE = (-6.795812, 39.246905)
START = (-6.7945, 39.2458)  # about 190 m north-west of the site
DATE = "261126"  # 26 November 2026 (ddmmyy)
START_SECONDS = 8 * 3600  # 08:00:00 UTC

# (epochs, hdop_from, hdop_to, satellites, has_fix): the walk's phases, in order.
PHASES = [
    (12, 3.5, 3.5, 4, True),   # cold start (gpsd hunts for the first few): about 66 m (gpsd: eph = 19 m x HDOP), worse than 50 m
    (6, 2.5, 1.2, 6, True),    # getting better: 47 m to 23 m
    (10, 0.9, 0.4, 10, True),  # open sky: 17 m to 7.6 m, better than 10 m at the end
    (6, 0, 0, 0, False),       # under the footbridge: no fix
    (4, 1.6, 1.6, 7, True),    # regained, still poor: 30 m
    (8, 0.8, 0.4, 9, True),    # good again, at the site: 15 m to 7.6 m
]

PRNS = [2, 5, 7, 9, 13, 15, 18, 20, 24, 29, 30, 31]
# (elevation, azimuth, snr) of each PRN in view; those not used have a low snr.
SKY = {2: (62, 40, 44), 5: (48, 310, 41), 7: (35, 120, 40), 9: (22, 200, 36), 13: (71, 250, 46),
       15: (15, 80, 30), 18: (54, 170, 43), 20: (28, 20, 38), 24: (40, 290, 39), 29: (12, 140, 27),
       30: (8, 350, 22), 31: (66, 100, 45)}


def checksum(body):
    c = 0
    for ch in body:
        c ^= ord(ch)
    return "%02X" % c


def sentence(body):
    return "$%s*%s\r\n" % (body, checksum(body))


def nmea_lat(lat):
    d = int(abs(lat))
    m = (abs(lat) - d) * 60
    return "%02d%07.4f" % (d, m), ("S" if lat < 0 else "N")


def nmea_lon(lon):
    d = int(abs(lon))
    m = (abs(lon) - d) * 60
    return "%03d%07.4f" % (d, m), ("W" if lon < 0 else "E")


def hhmmss(seconds):
    return "%02d%02d%02d.00" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


def gsv(used):
    """GSV sentences: every satellite in view (all of SKY; snr 0 when not used)."""
    out = []
    total = (len(PRNS) + 3) // 4
    for i in range(total):
        fields = ["GPGSV", str(total), str(i + 1), "%02d" % len(PRNS)]
        for prn in PRNS[i * 4:(i + 1) * 4]:
            el, az, snr = SKY[prn]
            fields += ["%02d" % prn, "%02d" % el, "%03d" % az, ("%02d" % snr) if prn in used else ""]
        out.append(sentence(",".join(fields)))
    return out


def epoch(t, pos, hdop, sats, has_fix):
    time = hhmmss(t)
    used = PRNS[:sats]
    if not has_fix:
        return [
            sentence("GPGGA,%s,,,,,0,00,99.99,,,,,," % time),
            sentence("GPGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99"),
            *gsv([]),
            sentence("GPRMC,%s,V,,,,,,,%s,,,N" % (time, DATE)),
        ]
    lat, ns = nmea_lat(pos[0])
    lon, ew = nmea_lon(pos[1])
    prns = ["%02d" % p for p in used] + [""] * (12 - len(used))
    pdop, vdop = hdop * 1.6, hdop * 1.3
    return [
        sentence("GPGGA,%s,%s,%s,%s,%s,1,%02d,%.1f,12.0,M,-8.0,M,," % (time, lat, ns, lon, ew, sats, hdop)),
        sentence("GPGSA,A,3,%s,%.1f,%.1f,%.1f" % (",".join(prns), pdop, hdop, vdop)),
        *gsv(used),
        sentence("GPRMC,%s,A,%s,%s,%s,%s,0.8,135.0,%s,,,A" % (time, lat, ns, lon, ew, DATE)),
    ]


def main():
    epochs = sum(p[0] for p in PHASES)
    lines = []
    i = 0
    for count, h0, h1, sats, has_fix in PHASES:
        for k in range(count):
            f = i / (epochs - 1)  # straight line from START to SITE
            pos = (START[0] + (SITE[0] - START[0]) * f, START[1] + (SITE[1] - START[1]) * f)
            hdop = h0 + (h1 - h0) * (k / max(1, count - 1))
            lines += epoch(START_SECONDS + i, pos, round(hdop, 1), sats, has_fix)
            i += 1
    out = pathlib.Path(__file__).with_name("walk.nmea")
    out.write_bytes("".join(lines).encode("ascii"))
    print("%s: %d epochs, %d sentences" % (out, epochs, len(lines)))


if __name__ == "__main__":
    main()
