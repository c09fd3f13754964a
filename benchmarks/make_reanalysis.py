#!/usr/bin/env python3
"""Write a reanalysis-like NetCDF-4 file for the cube-convert benchmark.

    .venv/zarr3/bin/python benchmarks/make_reanalysis.py [--steps N] [--out PATH] [--seed S]

The file looks like one year of a 3-hourly global reanalysis on a 1-degree grid:

  dimensions  time (unlimited, default 2920 steps = 365 days x 8), lat 181, lon 360
  time        int32, "hours since 1900-01-01 00:00:00", calendar "gregorian", from 2021-01-01
  lat, lon    float32 with units, standard_name, axis (lat from 90 to -90, as ERA5 has it)
  t2m         float32 (K), _FillValue 1e20 (never used)
  msl         int16 packed: scale_factor / add_offset (float64), _FillValue -32767 (Pa)
  chunks      (1, 181, 360), zlib level 1 with shuffle, for both fields

The fields are made to compress like real data: a climatology (latitude, season, land and
sea, a diurnal cycle that follows the sun) plus "weather": a few hundred spherical-ish
waves whose amplitudes follow a seeded AR(1) process in time and drift eastward, and a
small amount of grid-scale noise. Everything is vectorized NumPy and written one day
(8 steps) at a time, so memory stays at a few MB whatever --steps is.

The file is written to PATH.partial and renamed to PATH when complete, so an existing
PATH is always a finished file. Prints the decoded size (the bytes of every variable in
its stored type) and the size on disk.
"""
import argparse
import datetime as dt
import os
import sys
import time

import netCDF4
import numpy as np

NLAT, NLON = 181, 360
STEPS_PER_DAY = 8
EPOCH = dt.datetime(1900, 1, 1)
START = dt.datetime(2021, 1, 1)

MSL_FILL = np.int16(-32767)
MSL_MIN, MSL_MAX = 87000.0, 109000.0           # Pa, the packed range
MSL_SCALE = (MSL_MAX - MSL_MIN) / 65532.0       # int16 -32766..32766, -32767 is the fill
MSL_OFFSET = (MSL_MAX + MSL_MIN) / 2.0
T2M_FILL = np.float32(1e20)


class Weather:
    """A smooth random field that evolves in time: waves with AR(1) amplitudes.

    field(lat, lon) = sum over (l, m) of Re(c[l, m] * exp(i m lon)) * P[l](lat) * w[m](lat)
    where P[l] = cos(l * colatitude) and w[m] = sin(colatitude)**min(m, 2) keeps the
    field single-valued at the poles. Each step the coefficients decay by rho, drift
    eastward (phase speed `speed` degrees per step at wavenumber 1 scaled down by m**0.5)
    and receive fresh noise so the variance stays stationary.
    """

    def __init__(self, rng, nl, nm, sigma, decorrelation_steps, speed_deg, slope):
        self.rng = rng
        colat = np.deg2rad(90.0 - np.linspace(90.0, -90.0, NLAT))
        lon = np.deg2rad(np.arange(NLON, dtype=np.float64))
        l = np.arange(nl)
        m = np.arange(nm)
        self.P = np.cos(colat[:, None] * l[None, :])                          # (lat, l)
        self.W = np.sin(colat)[:, None] ** np.minimum(m, 2)[None, :]          # (lat, m)
        self.E = np.exp(1j * m[:, None] * lon[None, :])                       # (m, lon)
        # red spectrum: large scales carry most of the variance
        k = np.sqrt(l[:, None] ** 2 + m[None, :] ** 2) + 1.0
        self.amp = sigma * k ** (-slope)
        self.amp /= np.sqrt((self.amp ** 2).sum()) / sigma
        self.rho = np.exp(-1.0 / decorrelation_steps)
        self.innov = np.sqrt(1.0 - self.rho ** 2)
        self.shift = np.exp(-1j * np.deg2rad(speed_deg) * np.sqrt(np.maximum(m, 1)) * (m > 0))
        self.c = self._noise()

    def _noise(self):
        shape = self.amp.shape
        z = self.rng.standard_normal(shape) + 1j * self.rng.standard_normal(shape)
        return self.amp * z / np.sqrt(2.0)

    def step(self):
        self.c = self.rho * self.c * self.shift[None, :] + self.innov * self._noise()
        # sum over l first: (lat, m) spectral coefficients in latitude, then over m
        by_m = (self.P @ self.c) * self.W                                     # (lat, m)
        return (by_m @ self.E).real                                           # (lat, lon)


def smooth_pattern(rng, nl, nm, slope):
    """A fixed smooth field in [-1, 1] (land/sea contrast, orography-like)."""
    w = Weather(rng, nl, nm, 1.0, 1.0, 0.0, slope)
    f = w.step()
    return f / np.abs(f).max()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=365 * STEPS_PER_DAY,
                    help="time steps of 3 hours (default: 2920, one year)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "data", "reanalysis.nc"),
                    help="file to write (default: benchmarks/data/reanalysis.nc)")
    ap.add_argument("--seed", type=int, default=20210101, help="random seed (default: 20210101)")
    args = ap.parse_args(argv)
    if args.steps < 1:
        ap.error("--steps must be at least 1")
    return args


def decoded_bytes(steps):
    """Bytes of every variable in its stored type."""
    return steps * 4 + NLAT * 4 + NLON * 4 + steps * NLAT * NLON * (4 + 2)


def main(argv=None):
    args = parse_args(argv)
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    partial = out + ".partial"
    rng = np.random.default_rng(args.seed)
    started = time.monotonic()

    lat = np.linspace(90.0, -90.0, NLAT)
    lon = np.arange(NLON, dtype=np.float64)
    latr = np.deg2rad(lat)[:, None]
    lonr = np.deg2rad(lon)[None, :]

    # fixed geography: "land" where a smooth pattern is positive, more land in the north
    geo = smooth_pattern(rng, 12, 16, 1.2)
    land = 1.0 / (1.0 + np.exp(-8.0 * (geo + 0.25 * np.sin(latr))))          # 0 sea .. 1 land
    relief = np.clip(smooth_pattern(rng, 30, 40, 1.0), 0, None) * land         # 0 .. 1
    t_clim = (300.5 - 48.0 * np.sin(latr) ** 2 - 12.0 * np.sin(latr) ** 4
              - 25.0 * relief + 3.0 * land * np.cos(latr))                     # K
    # annual amplitude: larger over land and at high latitudes, sign flips across the equator
    t_season = -(4.0 + 16.0 * land) * np.sin(latr) * (0.3 + np.abs(np.sin(latr)))
    t_diurnal = 1.0 + 6.0 * land                                               # K, half-range
    p_clim = (101325.0 - 1200.0 * np.exp(-((np.abs(lat[:, None]) - 62.0) / 8.0) ** 2)
              + 900.0 * np.exp(-((np.abs(lat[:, None]) - 32.0) / 9.0) ** 2)
              + 500.0 * geo * np.cos(latr))
    p_season = 600.0 * land * np.sin(latr)
    storm = 0.35 + 0.65 * np.sin(np.abs(latr)) ** 1.5                          # weather amplitude

    t_weather = Weather(rng, 40, 48, 3.5, 16.0, 2.0, 1.6)      # ~2 days memory, K
    t_small = Weather(rng, 90, 120, 0.6, 3.0, 3.0, 0.8)        # small scales, K
    p_weather = Weather(rng, 36, 40, 1500.0, 20.0, 2.5, 1.8)   # Pa

    hours0 = int((START - EPOCH).total_seconds() // 3600)
    with netCDF4.Dataset(partial, "w", format="NETCDF4") as ds:
        ds.createDimension("time", None)
        ds.createDimension("lat", NLAT)
        ds.createDimension("lon", NLON)

        vt = ds.createVariable("time", "i4", ("time",))
        vt.standard_name = "time"
        vt.long_name = "time"
        vt.units = "hours since 1900-01-01 00:00:00"
        vt.calendar = "gregorian"
        vt.axis = "T"

        vlat = ds.createVariable("lat", "f4", ("lat",))
        vlat.standard_name = "latitude"
        vlat.long_name = "latitude"
        vlat.units = "degrees_north"
        vlat.axis = "Y"
        vlat[:] = lat.astype("f4")

        vlon = ds.createVariable("lon", "f4", ("lon",))
        vlon.standard_name = "longitude"
        vlon.long_name = "longitude"
        vlon.units = "degrees_east"
        vlon.axis = "X"
        vlon[:] = lon.astype("f4")

        chunk = dict(zlib=True, complevel=1, shuffle=True, chunksizes=(1, NLAT, NLON))
        vT = ds.createVariable("t2m", "f4", ("time", "lat", "lon"), fill_value=T2M_FILL, **chunk)
        vT.standard_name = "air_temperature"
        vT.long_name = "2 metre temperature"
        vT.units = "K"
        vT.set_auto_maskandscale(False)

        vP = ds.createVariable("msl", "i2", ("time", "lat", "lon"), fill_value=MSL_FILL, **chunk)
        vP.scale_factor = np.float64(MSL_SCALE)
        vP.add_offset = np.float64(MSL_OFFSET)
        vP.standard_name = "air_pressure_at_mean_sea_level"
        vP.long_name = "Mean sea level pressure"
        vP.units = "Pa"
        vP.set_auto_maskandscale(False)

        ds.Conventions = "CF-1.8"
        ds.title = "Synthetic reanalysis-like fields for the cube-convert benchmark"
        ds.institution = "cube project (synthetic data)"
        ds.source = "benchmarks/make_reanalysis.py, seeded random waves on a climatology"
        ds.history = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%M:%SZ} " \
                     f"make_reanalysis.py --steps {args.steps} --seed {args.seed}"
        ds.frequency = "3hr"
        ds.grid = "1x1 degree regular latitude-longitude"

        for t0 in range(0, args.steps, STEPS_PER_DAY):
            n = min(STEPS_PER_DAY, args.steps - t0)
            hours = hours0 + 3 * np.arange(t0, t0 + n)
            T = np.empty((n, NLAT, NLON), dtype="f4")
            P = np.empty((n, NLAT, NLON), dtype="i2")
            for k in range(n):
                h = int(hours[k] - hours0)
                year_phase = 2 * np.pi * (h / 24.0 - 15.0) / 365.25       # coldest mid-January
                local_solar = 2 * np.pi * ((h % 24) / 24.0) + lonr        # 0 at local midnight
                t = (t_clim + t_season * np.cos(year_phase)
                     - t_diurnal * np.cos(local_solar - 0.6) * np.cos(latr)
                     + storm * t_weather.step() + t_small.step())
                p = p_clim + p_season * np.cos(year_phase) + storm * p_weather.step()
                T[k] = t
                P[k] = np.clip(np.rint((p - MSL_OFFSET) / MSL_SCALE), -32766, 32766)
            vt[t0:t0 + n] = hours.astype("i4")
            vT[t0:t0 + n] = T
            vP[t0:t0 + n] = P
            if t0 % (STEPS_PER_DAY * 30) == 0:
                print(f"\rmake_reanalysis: {t0 + n}/{args.steps} steps", end="", file=sys.stderr,
                      flush=True)
        print(file=sys.stderr)

    os.replace(partial, out)
    size = decoded_bytes(args.steps)
    disk = os.path.getsize(out)
    print(f"wrote {out}: {args.steps} steps, decoded {size} bytes "
          f"({size / 1e9:.3f} GB, {size / 2**30:.3f} GiB), on disk {disk / 1e6:.1f} MB "
          f"(ratio {size / disk:.2f}), {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
