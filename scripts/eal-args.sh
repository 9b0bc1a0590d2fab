#!/usr/bin/env bash
# Prints the EAL memory options for this machine: hugepages when some are free and
# hugetlbfs is mounted, otherwise --no-huge with a fixed heap. Sourced by the run and test
# scripts so that every DPDK process picks the same way.
sy_eal_mem_args() {
  local mb=${1:-512} free
  free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo 2>/dev/null)
  if [ "${SY_NO_HUGE:-0}" != 1 ] && [ "${free:-0}" -ge $((mb / 2)) ] &&
     grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
    echo "-m $mb"
  else
    echo "--no-huge -m $mb"
  fi
}
