# Sourced by scripts/setup.sh and scripts/fuzz.sh: installs the Debian packages in the
# caller's "packages" array that are missing. Needs root unless nothing is missing;
# SY_SKIP_APT=1 reports instead of installing. The caller defines say().
sy_install_missing() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${SY_SKIP_APT:-0}" = 1 ]; then
    say "missing packages (SY_SKIP_APT=1, not installing): ${missing[*]}"; return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "missing packages and not root: ${missing[*]}"; return 1
  fi
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark (pcapng checks) asks whether to install dumpcap setuid: no
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
