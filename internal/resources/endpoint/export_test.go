package endpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// SetPollingForTests makes the waiters poll a fast emulator quickly.
func SetPollingForTests() {
	pollInitial = 100 * time.Millisecond
	pollMax = 500 * time.Millisecond
	rolloutSettleDelay = 50 * time.Millisecond
}

// UnkeyedVersionName is the version name an unkeyed hash of these settings
// gives (sagesafe before the name key, with capture off and the default
// instance count): what anyone who sees the configuration can compute.
func UnkeyedVersionName(name, role, image string, env map[string]string, instanceType, key string, subnets, groups []string) string {
	s := spec{Name: name, RoleARN: role, Image: image, Environment: env, InstanceType: instanceType,
		InstanceCount: DefaultInstanceCount, KMSKeyARN: key, SubnetIDs: subnets, SecurityGroupIDs: groups}
	sum := sha256.Sum256(s.fingerprint())
	return versionName(name, hex.EncodeToString(sum[:])[:hashLen])
}
