/*
 * manifest_fixture.h - the original manifest the manifest, tally and
 * matching tests start from: COSCO SHIPPING ARIES, voyage 046E, at Nansha,
 * three bills: the apples of the test declaration in two reefers, and two
 * consolidated bills sharing one container.
 */
#ifndef KOUAN_MANIFEST_FIXTURE_H
#define KOUAN_MANIFEST_FIXTURE_H

static const char original_manifest[] =
	"{\"kind\":\"original\",\"transport_mode\":\"2\","
	"\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\",\"imo\":\"9321378\"},"
	"\"port\":\"CNNSA\",\"carrier\":\"COSCO SHIPPING Lines\",\"bills\":["
	"{\"bill_of_lading\":\"COSU6291830410\","
	"\"consignor\":{\"name\":\"Columbia Valley Fruit Growers\",\"country\":\"US\"},"
	"\"consignee\":{\"name\":\"Guangzhou Wanhe Trading Co., Ltd.\",\"uscc\":\"91440101MA59TRAD00\"},"
	"\"notify_party\":{\"name\":\"Guangzhou Wanhe Trading Co., Ltd.\"},"
	"\"goods_description\":\"Fresh Gala apples in cartons\",\"hs_heading\":\"0808\","
	"\"packages\":1800,\"package_kind\":\"CT\",\"gross_weight_kg\":\"19850.000\","
	"\"containers\":[{\"number\":\"COSU8001236\",\"seals\":[\"CN4410873\"],\"size_type\":\"45R1\"},"
	"{\"number\":\"CSQU3054383\",\"seals\":[\"CN4410874\"]}]},"
	"{\"bill_of_lading\":\"COSU6291830422\","
	"\"consignor\":{\"name\":\"Ohio Machine Parts\"},"
	"\"consignee\":{\"name\":\"Foshan Precision Machinery Co., Ltd.\"},"
	"\"goods_description\":\"Machine parts\",\"hs_heading\":\"848790\","
	"\"packages\":120,\"package_kind\":\"PX\",\"gross_weight_kg\":\"6120.500\","
	"\"containers\":[{\"number\":\"TGHU6000010\",\"seals\":[\"SL-20931\"]}]},"
	"{\"bill_of_lading\":\"COSU6291830434\","
	"\"consignor\":{\"name\":\"Pacific Toy Company\"},"
	"\"consignee\":{\"name\":\"Shenzhen Happy Kids Trading\"},"
	"\"goods_description\":\"Toys\","
	"\"packages\":300,\"package_kind\":\"CT\",\"gross_weight_kg\":\"2100.000\","
	"\"containers\":[{\"number\":\"TGHU6000010\",\"seals\":[\"SL-20931\"]}]}]}";

#endif
